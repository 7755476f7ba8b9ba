package dev.hark.testing;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Another API's official client library, run by Node.js from {@code src/test/clients} (pinned there, installed by
 * {@code .ci/run}): a script that talks to Hark and prints one JSON line of what it saw. Where {@code .ci/run} sets
 * {@code HARK_REQUIRE_CLIENTS=1}, missing packages fail the test; elsewhere it is skipped with what to install.
 */
public final class NodeClient {
  public static final Path DIR = Path.of("src/test/clients");

  private NodeClient() {}

  /** Skips (or, under .ci/run, fails) the calling test unless Node.js and {@code module} are installed. */
  public static void require(String module) {
    boolean present = Files.isDirectory(DIR.resolve("node_modules").resolve(module));
    if (!present && "1".equals(System.getenv("HARK_REQUIRE_CLIENTS"))) {
      fail(module + " missing: npm ci --prefix " + DIR);
    }
    assumeTrue(present, "client test skipped: npm ci --prefix " + DIR);
  }

  /** Runs {@code script} with {@code args} and returns the JSON of the last line it printed. */
  public static JsonNode run(String script, Object... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("node", script));
    for (Object a : args) {
      command.add(String.valueOf(a));
    }
    Process p = new ProcessBuilder(command).directory(DIR.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail(script + " did not finish in 3 minutes");
    }
    String last = out.substring(out.lastIndexOf('\n') + 1);
    if (p.exitValue() != 0 || !last.startsWith("{")) {
      fail(script + " failed (exit " + p.exitValue() + "): " + out);
    }
    return new ObjectMapper().readTree(last);
  }
}
