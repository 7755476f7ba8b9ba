package dev.hark.server;

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
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
final class VoskDialect extends Dialect {
  static final String PATH = "/vosk";
  private static final ProtocolError SAMPLE_RATE_RANGE = new ProtocolError(ErrorCode.BAD_SAMPLE_RATE,
      "sample_rate must be a whole number of Hz from " + MessageDecoder.MIN_SAMPLE_RATE + " to "
      + MessageDecoder.MAX_SAMPLE_RATE);

  // Results arrive from decoding threads, replies go out on the event loop: guarded by this.
  private final ArrayDeque<ServerMessage.Transcript> finals = new ArrayDeque<>();
  private String partial = "";
  // The event loop's.
  private boolean started;
  private int sampleRate;
  private boolean words = true;

  VoskDialect(Channel channel, NettySessionChannel wire, int defaultSampleRate) {
    super(channel, wire);
    this.sampleRate = defaultSampleRate;
  }

  /** One client frame: turned into Hark messages for {@code session}, then answered with one reply. */
  @Override
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
    Map<String, Object> fields = JsonFields.read(message);
    if (fields == null) {
      fields = Map.of(); // vosk-server answers anything it cannot parse as it answers an unknown message
    }
    if (fields.containsKey("config") && fields.get("config") instanceof Map<?, ?> config) {
      if (!started) {
        if (config.containsKey("sample_rate")) {
          Integer rate = sampleRate(config.get("sample_rate"));
          if (rate == null) {
            // vosk-server has no error message (it drops the connection on a rate it cannot read): a rate Hark
            // cannot take ends the connection, saying why, rather than recognizing audio at the wrong rate.
            session.reject(SAMPLE_RATE_RANGE, null);
            wire.close(CloseCode.POLICY_VIOLATION, SAMPLE_RATE_RANGE.message());
            return;
          }
          sampleRate = rate;
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

  /**
   * A configuration's {@code sample_rate}: a whole number of Hz in Hark's range (16000.0 too, and a string of one,
   * as vosk-server reads it with Python's {@code float}), else null.
   */
  static Integer sampleRate(Object value) {
    double hz;
    if (value instanceof Number n) {
      hz = n.doubleValue();
    } else if (value instanceof String s && s.length() <= 16) {
      try {
        hz = Double.parseDouble(s.strip());
      } catch (NumberFormatException e) {
        return null;
      }
    } else {
      return null;
    }
    boolean whole = hz == Math.rint(hz);
    return whole && hz >= MessageDecoder.MIN_SAMPLE_RATE && hz <= MessageDecoder.MAX_SAMPLE_RATE ? (int) hz : null;
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
  @Override
  boolean readOverRate(SessionState session, ByteBuf content, boolean text) {
    Map<String, Object> fields = ConnectionRate.mayEndSession(content, text)
        ? JsonFields.read(content.toString(StandardCharsets.UTF_8)) : null;
    if (fields != null && fields.containsKey("eof")) {
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
    wire.sendText(json);
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
        wire.sendText(result(rest));
      }
      default -> { } // statuses, errors, ready: no word for them in this protocol (counted in /metrics)
    }
  }

  private String result(List<ServerMessage.Transcript> results) {
    return JsonFields.write(g -> {
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
    });
  }

  private static String quote(String s) {
    return JsonFields.write(g -> g.writeString(s));
  }
}
