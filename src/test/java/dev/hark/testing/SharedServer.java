package dev.hark.testing;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real server for all the tests of a class: started before the first, closed after the last. Register it as a
 * static field with {@code @RegisterExtension}.
 */
public final class SharedServer implements BeforeAllCallback, AfterAllCallback {
  private final Supplier<TestServer> start;
  private TestServer server;

  public SharedServer(Supplier<TestServer> start) {
    this.start = start;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    server = start.get();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    server.close();
  }

  public int port() {
    return server.port();
  }

  public WsClient connect() {
    return server.connect();
  }

  public Scrape scrape() {
    return server.scrape();
  }
}
