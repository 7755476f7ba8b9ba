# Sourced by ./hark and .ci/run. Sets HARK_JAVA (a java of version 21 or newer) and HARK_JAVA_HOME, looking at
# JAVA_HOME, then java on PATH, then the newest under /usr/lib/jvm; says so in one line and fails if none is.

hark_java_major() {
  local v
  v=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
  v=${v#1.}
  echo "${v:-0}"
}

hark_find_jdk() {
  local need=21 cand v best="" best_v=0
  for cand in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java 2>/dev/null || true)"; do
    [ -n "$cand" ] && [ -x "$cand" ] || continue
    v=$(hark_java_major "$cand")
    if [ "$v" -ge "$need" ]; then
      best=$cand
      break
    fi
  done
  if [ -z "$best" ]; then
    for cand in /usr/lib/jvm/*/bin/java; do
      [ -x "$cand" ] || continue
      v=$(hark_java_major "$cand")
      if [ "$v" -ge "$need" ] && [ "$v" -gt "$best_v" ]; then
        best=$cand
        best_v=$v
      fi
    done
  fi
  if [ -z "$best" ]; then
    echo "hark: needs a JDK $need or newer; none found in JAVA_HOME, on PATH or under /usr/lib/jvm" >&2
    return 1
  fi
  HARK_JAVA=$best
  HARK_JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$best")")")
  HARK_JAVA_MAJOR=$(hark_java_major "$best")
}

# JVM options for Maven itself on the chosen JDK: quiets JDK 24+'s sun.misc.Unsafe warnings from Maven's Guice.
hark_maven_opts() {
  if [ "${HARK_JAVA_MAJOR:-0}" -ge 23 ]; then
    echo "--sun-misc-unsafe-memory-access=allow"
  fi
}
