package dev.hark.testing;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's HAProxy running {@code deploy/haproxy.cfg} in front of three nodes on loopback, as a test's balancer:
 * the configuration under test is the one that ships. {@code .ci/run} installs haproxy and sets
 * {@code HARK_REQUIRE_CLUSTER=1}, so there a missing one fails; elsewhere the test is skipped.
 */
public final class Haproxy implements AutoCloseable {
  public static final Path CONFIG = Path.of("deploy/haproxy.cfg");
  private static final Path BINARY = Path.of("/usr/sbin/haproxy");

  private final Process process;
  private final int port;

  /** Skips (or, under .ci/run, fails) the calling test unless HAProxy is installed. */
  public static void require() {
    boolean present = Files.isExecutable(BINARY);
    if (!present && "1".equals(System.getenv("HARK_REQUIRE_CLUSTER"))) {
      fail("haproxy missing: apt-get install haproxy");
    }
    assumeTrue(present, "cluster test skipped: apt-get install haproxy");
  }

  /** Starts HAProxy for nodes node1..node3 at {@code nodePorts} with their agent ports, and waits for it. */
  public Haproxy(List<Integer> nodePorts, List<Integer> agentPorts, int maxPerToken) {
    this(nodePorts, agentPorts, maxPerToken, 1000);
  }

  /** As above, with a cluster-wide limit of concurrent connections per client address. */
  public Haproxy(List<Integer> nodePorts, List<Integer> agentPorts, int maxPerToken, int maxPerAddress) {
    this.port = freePort();
    ProcessBuilder b = new ProcessBuilder(BINARY.toString(), "-db", "-f", CONFIG.toAbsolutePath().toString())
        .redirectErrorStream(true).redirectOutput(Path.of("target/haproxy.log").toFile());
    Map<String, String> env = b.environment();
    env.put("HARK_LB_BIND", "127.0.0.1:" + port);
    env.put("HARK_LB_MAX_PER_TOKEN", String.valueOf(maxPerToken));
    env.put("HARK_LB_MAX_PER_ADDRESS", String.valueOf(maxPerAddress));
    env.put("HARK_ERRORS", Path.of("deploy/errors").toAbsolutePath().toString());
    for (int i = 0; i < 3; i++) {
      env.put("HARK_NODE" + (i + 1), "127.0.0.1:" + nodePorts.get(i));
      env.put("HARK_AGENT" + (i + 1), String.valueOf(agentPorts.get(i)));
    }
    try {
      process = b.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!listening(port)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        fail("haproxy did not start; see target/haproxy.log");
      }
      sleep(50);
    }
  }

  public int port() {
    return port;
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
