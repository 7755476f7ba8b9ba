package dev.hark.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
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

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
