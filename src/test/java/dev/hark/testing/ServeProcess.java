package dev.hark.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code hark serve} as a process of its own (this JVM's java and class path), on a free port, its output in a log
 * file: for what only a whole process shows (signals, JVM limits). Ready when {@code /readyz} says so.
 */
public final class ServeProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;

  private ServeProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts {@code java JVM_FLAGS dev.hark.cli.Main serve --port P ARGS} and waits until it takes sessions. */
  public static ServeProcess start(Path dir, List<String> jvmFlags, String... serveArgs) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Production flags, plus Netty's leak detector at its strictest: close() fails the test on any LEAK: report.
    command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-Dio.netty.leakDetection.level=paranoid"));
    if (Runtime.version().feature() >= 23) {
      command.add("--sun-misc-unsafe-memory-access=allow"); // the flag exists from JDK 23, as ./hark knows
    }
    command.addAll(jvmFlags);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.hark.cli.Main", "serve",
        "--port", String.valueOf(port)));
    command.addAll(List.of(serveArgs));
    Path log = dir.resolve("serve.log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    ServeProcess serve = new ServeProcess(p, port, log);
    try {
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
          .until(() -> Scrape.get(port, "/readyz").statusCode() == 200);
    } catch (RuntimeException | Error e) {
      serve.close();
      throw e;
    }
    return serve;
  }

  public int port() {
    return port;
  }

  /** Sends SIGTERM. */
  public void sigterm() {
    process.destroy();
  }

  /** Sends SIGKILL: the process ends at once, as on a crash or the OOM killer. */
  public void sigkill() {
    process.destroyForcibly();
  }

  /** Waits up to {@code seconds} for the process to exit; true if it did. */
  public boolean awaitExit(int seconds) throws InterruptedException {
    return process.waitFor(seconds, TimeUnit.SECONDS);
  }

  public int exitValue() {
    return process.exitValue();
  }

  /** Everything the process printed so far. */
  public String log() throws IOException {
    return Files.readString(log);
  }

  /**
   * Stops the process; fails if its log has a Netty leak report. A leak is reported only once the buffer has been
   * collected and a later allocation polls for it, so a live process is first made to collect (jcmd GC.run) and
   * to allocate (two HTTP requests).
   */
  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
            String.valueOf(process.pid()), "GC.run").redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
        Scrape.get(port, "/healthz");
        Scrape.get(port, "/metrics");
      } catch (IOException | RuntimeException e) {
        // The process may be on its way out: what it logged is still read below.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
      String out = log();
      if (out.contains("LEAK:")) {
        throw new AssertionError("the hark serve process reported a Netty buffer leak:\n"
            + out.substring(out.indexOf("LEAK:")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
