package dev.hark.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A real WebSocket client (the JDK's) that records every server message, for tests. */
public final class WsClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
  private final List<JsonNode> seen = new CopyOnWriteArrayList<>();
  private final CompletableFuture<int[]> closed = new CompletableFuture<>();
  private volatile String closeReason;
  private final WebSocket ws;

  private WsClient(URI uri) {
    this(uri, HttpClient.newHttpClient().newWebSocketBuilder());
  }

  private WsClient(URI uri, WebSocket.Builder builder) {
    ws = builder.connectTimeout(Duration.ofSeconds(5)).buildAsync(uri, new Listener()).join();
  }

  /**
   * Connects with the given path and query (e.g. {@code /ws/live?token=x}), headers as name/value pairs and
   * subprotocols; throws the handshake's failure (a {@code WebSocketHandshakeException} for an HTTP refusal).
   */
  public static WsClient connect(int port, String pathAndQuery, List<String> headers, String... subprotocols) {
    WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder();
    for (int i = 0; i + 1 < headers.size(); i += 2) {
      b.header(headers.get(i), headers.get(i + 1));
    }
    if (subprotocols.length > 0) {
      b.subprotocols(subprotocols[0], Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
    }
    return new WsClient(URI.create("ws://127.0.0.1:" + port + pathAndQuery), b);
  }

  /** The subprotocol the server chose, or "" if none. */
  public String subprotocol() {
    return ws.getSubprotocol();
  }

  /** Connects over TLS ({@code wss://}) with {@code client}, which must trust the server's certificate. */
  public static WsClient connectTls(int port, HttpClient client) {
    return new WsClient(URI.create("wss://127.0.0.1:" + port + "/ws/live"), client.newWebSocketBuilder());
  }

  public static WsClient connect(int port) {
    return new WsClient(URI.create("ws://127.0.0.1:" + port + "/ws/live"));
  }

  public static String audioJson(String source, byte[] pcm, long seq) {
    String base = "{\"type\":\"audio\",\"source\":\"" + source + "\",\"data\":\""
        + Base64.getEncoder().encodeToString(pcm) + "\"";
    return base + (seq >= 0 ? ",\"seq\":" + seq : "") + "}";
  }

  /** Sends text and waits for the send to complete (TCP has taken it). */
  public WsClient send(String text) {
    ws.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
    return this;
  }

  /** Starts sending text without waiting; one send may be outstanding at a time. */
  public CompletableFuture<WebSocket> sendAsync(String text) {
    return ws.sendText(text, true);
  }

  public WsClient sendBinary(byte[] frame) {
    ws.sendBinary(ByteBuffer.wrap(frame), true).orTimeout(10, TimeUnit.SECONDS).join();
    return this;
  }

  /** The next message that matches, waiting up to {@code timeout}; earlier non-matching ones are skipped. */
  public JsonNode await(Predicate<JsonNode> match, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        JsonNode m = inbox.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (m == null) {
          throw new AssertionError("no matching message within " + timeout + "; seen: " + seen);
        }
        if (match.test(m)) {
          return m;
        }
      }
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  public JsonNode awaitType(String type) {
    return await(m -> type.equals(m.path("type").asText()), Duration.ofSeconds(10));
  }

  public JsonNode awaitError(String code) {
    return await(m -> "error".equals(m.path("type").asText()) && code.equals(m.path("code").asText()),
        Duration.ofSeconds(10));
  }

  public JsonNode awaitStatus(String state) {
    return awaitStatus(state, Duration.ofSeconds(10));
  }

  public JsonNode awaitStatus(String state, Duration timeout) {
    return await(m -> "status".equals(m.path("type").asText()) && state.equals(m.path("state").asText()), timeout);
  }

  /** Every message received so far, in order. */
  public List<JsonNode> seen() {
    return new ArrayList<>(seen);
  }

  public List<JsonNode> seen(String type, String state) {
    return seen().stream().filter(m -> type.equals(m.path("type").asText())
        && (state == null || state.equals(m.path("state").asText()))).toList();
  }

  /** Waits for the server's close; returns its status code. */
  public int awaitClose() {
    return closed.orTimeout(15, TimeUnit.SECONDS).join()[0];
  }

  public String closeReason() {
    return closeReason;
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  /** Drops the TCP connection without a close handshake. */
  public void abort() {
    ws.abort();
  }

  @Override
  public void close() {
    if (!ws.isOutputClosed()) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
    }
    ws.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          JsonNode m = JSON.readTree(partial.toString());
          seen.add(m);
          inbox.add(m);
        } catch (Exception e) {
          throw new AssertionError("server sent invalid JSON: " + partial, e);
        }
        partial.setLength(0);
      }
      w.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
      closeReason = reason;
      closed.complete(new int[] {statusCode});
      return null;
    }

    @Override
    public void onError(WebSocket w, Throwable error) {
      closed.complete(new int[] {-1});
    }
  }
}
