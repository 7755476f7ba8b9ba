package dev.hark.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.hark.ingest.SessionChannel;
import dev.hark.ingest.SessionState;
import dev.hark.protocol.ClientMessage;
import dev.hark.protocol.CloseCode;
import dev.hark.protocol.ErrorCode;
import dev.hark.protocol.MessageDecoder;
import dev.hark.protocol.ProtocolError;
import dev.hark.protocol.ServerMessage;
import dev.hark.protocol.Word;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * vosk-server's WebSocket protocol on a Hark session, for clients written for vosk-server: binary frames of PCM16
 * audio (one {@code mic} source), an optional {@code {"config": {"sample_rate": ..., "words": ...}}} first, and
 * {@code {"eof" : 1}} at the end. Each message gets exactly one reply, at once, as vosk-server's clients wait for:
 * the oldest final result not yet told ({@code {"result": [...], "text": ...}}), else the newest partial
 * ({@code {"partial": ...}}); after {@code eof}, every final left in one reply, then the close. Hark's statuses and
 * errors have no word in this protocol: they are counted in {@code /metrics} and logged, not sent.
 */
final class VoskDialect implements SessionChannel {
  static final String PATH = "/vosk";
  private static final JsonFactory JSON = new JsonFactory();
  /** An {@code eof} message is short; a long text over the rate is not read at all. */
  private static final int MAX_EOF_BYTES = 64;

  private final Channel channel;
  private final NettySessionChannel inner;
  // Results arrive from decoding threads, replies go out on the event loop: guarded by this.
  private final ArrayDeque<ServerMessage.Transcript> finals = new ArrayDeque<>();
  private String partial = "";
  // The event loop's.
  private boolean started;
  private int sampleRate;
  private boolean words = true;

  VoskDialect(Channel channel, NettySessionChannel inner, int defaultSampleRate) {
    this.channel = channel;
    this.inner = inner;
    this.sampleRate = defaultSampleRate;
  }

  /** One client frame: turned into Hark messages for {@code session}, then answered with one reply. */
  void read(SessionState session, ByteBuf content, boolean text) {
    if (!text) {
      start(session);
      byte[] pcm = new byte[content.readableBytes() & ~1]; // whole samples; a stray last byte is not audio
      content.getBytes(content.readerIndex(), pcm);
      session.handle(new ClientMessage.Audio("mic", pcm, -1));
      reply();
      return;
    }
    String message = content.toString(StandardCharsets.UTF_8);
    Map<String, Object> fields = Fields.read(message);
    if (fields.containsKey("config") && fields.get("config") instanceof Map<?, ?> config) {
      if (!started) {
        if (config.get("sample_rate") instanceof Number n) {
          double rate = n.doubleValue();
          if (rate < MessageDecoder.MIN_SAMPLE_RATE || rate > MessageDecoder.MAX_SAMPLE_RATE) {
            // vosk-server has no error message: a rate Hark cannot take ends the connection, saying why.
            session.reject(new ProtocolError(ErrorCode.BAD_SAMPLE_RATE, "sample_rate out of range"), null);
            inner.close(CloseCode.POLICY_VIOLATION, "sample_rate must be from " + MessageDecoder.MIN_SAMPLE_RATE
                + " to " + MessageDecoder.MAX_SAMPLE_RATE + " Hz");
            return;
          }
          sampleRate = (int) Math.round(rate);
        }
        if (config.get("words") instanceof Boolean b) {
          words = b;
        } else if (config.get("words") instanceof Number n) {
          words = n.intValue() != 0;
        }
      }
      return; // vosk-server answers a configuration with nothing
    }
    start(session);
    if (fields.containsKey("eof")) {
      session.handle(new ClientMessage.Stop()); // the last reply goes out with stopped
      return;
    }
    // reset and anything else: vosk-server would answer; Hark answers with what it has.
    reply();
  }

  private void start(SessionState session) {
    if (!started) {
      started = true;
      session.handle(new ClientMessage.Start(sampleRate, List.of("mic"), null, Map.of()));
    }
  }

  /**
   * A message over the session's rate: {@code eof} is still taken (a client over its rate must be able to end, as
   * {@code stop} is never limited); anything else is dropped and still gets its one reply, since the client waits
   * for it. Returns whether the message was taken; the caller counts a dropped one.
   */
  boolean readOverRate(SessionState session, ByteBuf content, boolean text) {
    if (text && content.readableBytes() <= MAX_EOF_BYTES
        && Fields.read(content.toString(StandardCharsets.UTF_8)).containsKey("eof")) {
      read(session, content, true);
      return true;
    }
    reply();
    return false;
  }

  /** One reply: the oldest untold final, else the newest partial. */
  private void reply() {
    String json;
    synchronized (this) {
      ServerMessage.Transcript f = finals.poll();
      json = f != null ? result(List.of(f)) : "{\"partial\" : " + quote(partial) + "}";
    }
    inner.sendText(json);
  }

  @Override
  public void send(ServerMessage message) {
    switch (message) {
      case ServerMessage.Transcript t -> {
        synchronized (this) {
          if (t.isFinal()) {
            finals.add(t);
            partial = "";
          } else {
            partial = t.text();
          }
        }
      }
      case ServerMessage.Stopped s -> {
        List<ServerMessage.Transcript> rest;
        synchronized (this) {
          rest = new ArrayList<>(finals);
          finals.clear();
        }
        inner.sendText(result(rest));
      }
      default -> { } // statuses, errors, ready: no word for them in this protocol (counted in /metrics)
    }
  }

  private String result(List<ServerMessage.Transcript> results) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      if (words) {
        g.writeArrayFieldStart("result");
        for (ServerMessage.Transcript t : results) {
          for (Word w : t.words()) {
            g.writeStartObject();
            g.writeNumberField("conf", w.confidence());
            g.writeNumberField("end", w.endMs() / 1000.0);
            g.writeNumberField("start", w.startMs() / 1000.0);
            g.writeStringField("word", w.word());
            g.writeEndObject();
          }
        }
        g.writeEndArray();
      }
      g.writeStringField("text", String.join(" ", results.stream().map(ServerMessage.Transcript::text).toList()));
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static String quote(String s) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeString(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  @Override
  public void execute(Runnable task) {
    inner.execute(task);
  }

  @Override
  public void schedule(Runnable task, long delayNanos) {
    inner.schedule(task, delayNanos);
  }

  @Override
  public void setReading(boolean reading) {
    inner.setReading(reading);
  }

  @Override
  public void close(int code, String reason) {
    inner.close(code, reason);
  }

  @Override
  public boolean inSessionThread() {
    return channel.eventLoop().inEventLoop();
  }

  @Override
  public String remoteAddress() {
    return inner.remoteAddress();
  }

  /** The top-level fields of a small JSON object; nested objects as maps, numbers, booleans and strings as such. */
  private static final class Fields {
    private Fields() {}

    static Map<String, Object> read(String json) {
      try (JsonParser p = JSON.createParser(json)) {
        return p.nextToken() == JsonToken.START_OBJECT ? object(p) : Map.of();
      } catch (IOException e) {
        return Map.of();
      }
    }

    private static Map<String, Object> object(JsonParser p) throws IOException {
      Map<String, Object> out = new HashMap<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        switch (v) {
          case START_OBJECT -> out.put(name, object(p));
          case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> out.put(name, p.getNumberValue());
          case VALUE_TRUE, VALUE_FALSE -> out.put(name, v == JsonToken.VALUE_TRUE);
          case VALUE_STRING -> out.put(name, p.getText());
          default -> p.skipChildren();
        }
      }
      return out;
    }
  }
}
