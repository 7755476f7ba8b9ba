package dev.hark.testing;

import dev.hark.asr.AsrEngine;
import dev.hark.asr.AsrEngines;
import dev.hark.asr.AsrSettings;
import dev.hark.ingest.IngestSettings;
import dev.hark.metrics.HarkMetrics;
import dev.hark.server.HarkServer;
import dev.hark.server.ServerConfig;
import java.util.function.UnaryOperator;

/** A real Hark server on a free loopback port, with whatever engine and limits a test needs. */
public final class TestServer implements AutoCloseable {
  private final HarkServer server;

  private TestServer(ServerConfig config, AsrEngine engine) {
    // A gate stalls a decoding thread per stream on purpose: it gets the decoding it needs (GateEngine.ASR).
    this(engine instanceof GateEngine ? config.withAsr(GateEngine.ASR) : config, m -> engine);
  }

  private TestServer(ServerConfig config, EngineLoader loader) {
    HarkMetrics metrics = new HarkMetrics();
    try {
      server = HarkServer.start(config, () -> loader.load(metrics), metrics);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  public static TestServer start(AsrEngine engine) {
    return new TestServer(ServerConfig.defaults().withPort(0), engine);
  }

  /** A server on a given port: a restart where the clients expect the old one. */
  public static TestServer startOnPort(AsrEngine engine, int port) {
    return new TestServer(ServerConfig.defaults().withPort(port), engine);
  }

  public static TestServer start(AsrEngine engine, UnaryOperator<IngestSettings> ingest) {
    ServerConfig d = ServerConfig.defaults();
    return new TestServer(d.withPort(0).withIngest(ingest.apply(d.ingest())), engine);
  }

  /**
   * With these ingest settings and no capacity control ({@code --no-asr-shed}): for tests of what a recognizer
   * that can never keep up does to queues (backpressure, block), which capacity control would instead refuse or
   * shed.
   */
  public static TestServer startWithoutCapacityControl(AsrEngine engine, UnaryOperator<IngestSettings> ingest) {
    ServerConfig d = ServerConfig.defaults();
    return start(engine, withoutCapacityControl(d.withIngest(ingest.apply(d.ingest()))));
  }

  /** {@code config} with no capacity control ({@code --no-asr-shed}). */
  public static ServerConfig withoutCapacityControl(ServerConfig config) {
    return config.withAsr(config.asr().withShedding(config.asr().shedLagMs(), false));
  }

  public static TestServer start(AsrEngine engine, ServerConfig config) {
    return new TestServer(config.withPort(0), engine);
  }

  /** A server whose engine needs the server's metrics (engines that register meters). */
  public static TestServer load(EngineLoader loader) {
    return new TestServer(ServerConfig.defaults().withPort(0), loader);
  }

  /** A server with the real recognizer: Vosk and its built-in model, default settings. */
  public static TestServer vosk() {
    return load(m -> AsrEngines.create("vosk", AsrSettings.defaults(), m));
  }

  /** A server with the real recognizer and {@code config}. */
  public static TestServer vosk(ServerConfig config) {
    return new TestServer(config.withPort(0), m -> AsrEngines.create("vosk", AsrSettings.defaults(), m));
  }

  /** Creates an engine given the server's metrics. */
  @FunctionalInterface
  public interface EngineLoader {
    AsrEngine load(HarkMetrics metrics) throws Exception;
  }

  public int port() {
    return server.port();
  }

  public WsClient connect() {
    return WsClient.connect(port());
  }

  public Scrape scrape() {
    return Scrape.of(port());
  }

  public HarkServer server() {
    return server;
  }

  @Override
  public void close() {
    server.close();
  }
}
