#!/usr/bin/env bash
# Real JMH runs of the benchmarks in src/bench/java (CI only smoke-tests them). Arguments go to JMH, e.g.
#   scripts/jmh.sh -f 1 -wi 3 -w 1s -i 5 -r 1s DecodeBench
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=find-jdk.sh
. "$root/scripts/find-jdk.sh"
hark_find_jdk
cd "$root"
JAVA_HOME="$HARK_JAVA_HOME" MAVEN_OPTS="$(hark_maven_opts)" ./mvnw -q -B test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
opts=""
[ "$HARK_JAVA_MAJOR" -ge 23 ] && opts="--sun-misc-unsafe-memory-access=allow"
exec "$HARK_JAVA" -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.openjdk.jmh.Main \
  ${opts:+-jvmArgsAppend "$opts"} "$@"
