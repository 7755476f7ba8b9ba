package dev.hark.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Writes {@link ServerMessage}s as JSON text with Jackson's streaming generator. */
public final class MessageEncoder {
  private static final JsonFactory JSON = new JsonFactory();

  private MessageEncoder() {}

  /** Writes one message as UTF-8 JSON to {@code out}. */
  public static void write(ServerMessage m, OutputStream out) {
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      writeFields(m, g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + m.getClass().getSimpleName(), e);
    }
  }

  /** The message as a JSON string (tests and logs; the server writes bytes). */
  public static String toJson(ServerMessage m) {
    var out = new ByteArrayOutputStream(128);
    write(m, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  private static void writeFields(ServerMessage m, JsonGenerator g) throws IOException {
    switch (m) {
      case ServerMessage.Ready r -> {
        g.writeStringField("type", "ready");
        g.writeStringField("session_id", r.sessionId());
        g.writeNumberField("sample_rate", r.sampleRate());
        g.writeNumberField("queue_max", r.queueMax());
        g.writeStringField("overflow", r.overflow().wire());
        g.writeArrayFieldStart("sources");
        for (String s : r.sources()) {
          g.writeString(s);
        }
        g.writeEndArray();
        g.writeNumberField("max_sources", r.maxSources());
        g.writeNumberField("max_messages_per_s", r.maxMessagesPerSecond());
        if (r.resumeToken() != null) {
          g.writeStringField("resume_token", r.resumeToken());
        }
        if (r.resumed()) {
          g.writeBooleanField("resumed", true);
          g.writeObjectFieldStart("next_seq");
          for (var e : r.nextSeq().entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
          }
          g.writeEndObject();
        }
      }
      case ServerMessage.Ack a -> {
        g.writeStringField("type", "ack");
        g.writeStringField("source", a.source());
        g.writeNumberField("seq", a.seq());
      }
      case ServerMessage.Status s -> {
        g.writeStringField("type", "status");
        g.writeStringField("state", s.state().wire());
        g.writeStringField("source", s.source());
        g.writeNumberField("dropped_frames", s.droppedFrames());
        g.writeNumberField("queue_depth", s.queueDepth());
        if (s.reason() != null) {
          g.writeStringField("reason", s.reason().wire());
        }
      }
      case ServerMessage.SeqGap s -> {
        g.writeStringField("type", "status");
        g.writeStringField("state", "gap");
        g.writeStringField("source", s.source());
        g.writeNumberField("expected_seq", s.expectedSeq());
        g.writeNumberField("received_seq", s.receivedSeq());
        g.writeNumberField("missing_frames", s.missingFrames());
      }
      case ServerMessage.ErrorMessage e -> {
        g.writeStringField("type", "error");
        g.writeStringField("code", e.code().wire());
        g.writeStringField("message", e.message());
        if (e.source() != null) {
          g.writeStringField("source", e.source());
        }
      }
      case ServerMessage.Pong p -> g.writeStringField("type", "pong");
      case ServerMessage.Flushed f -> {
        g.writeStringField("type", "flushed");
        g.writeStringField("source", f.source());
      }
      case ServerMessage.Closing c -> {
        g.writeStringField("type", "status");
        g.writeStringField("state", "closing");
        g.writeStringField("reason", c.reason());
        g.writeNumberField("drain_ms", c.drainMs());
      }
      case ServerMessage.Stopped s -> {
        g.writeStringField("type", "stopped");
        g.writeStringField("session_id", s.sessionId());
        g.writeObjectFieldStart("stats");
        writeStats(s, g);
        g.writeEndObject();
      }
      case ServerMessage.Transcript t -> {
        g.writeStringField("type", "transcript");
        g.writeStringField("source", t.source());
        g.writeStringField("text", t.text());
        g.writeBooleanField("final", t.isFinal());
        g.writeNumberField("start_ms", t.startMs());
        g.writeNumberField("end_ms", t.endMs());
        if (t.isFinal()) {
          g.writeArrayFieldStart("words");
          for (Word w : t.words()) {
            g.writeStartObject();
            g.writeStringField("word", w.word());
            g.writeNumberField("start_ms", w.startMs());
            g.writeNumberField("end_ms", w.endMs());
            // Two decimals say all a confidence can: shorter messages.
            g.writeNumberField("conf", Math.round(w.confidence() * 100) / 100.0);
            g.writeEndObject();
          }
          g.writeEndArray();
        }
      }
    }
  }

  private static void writeStats(ServerMessage.Stopped s, JsonGenerator g) throws IOException {
    SourceStats.Totals t = SourceStats.Totals.of(s.sources());
    g.writeNumberField("duration_ms", s.durationMs());
    g.writeNumberField("frames_received", t.framesReceived());
    g.writeNumberField("frames_accepted", t.framesAccepted());
    g.writeNumberField("frames_dropped", t.framesDropped());
    g.writeNumberField("bytes_received", t.bytesReceived());
    g.writeObjectFieldStart("sources");
    for (SourceStats st : s.sources()) {
      g.writeObjectFieldStart(st.source());
      g.writeNumberField("frames_received", st.framesReceived());
      g.writeNumberField("frames_accepted", st.framesAccepted());
      g.writeNumberField("frames_dropped", st.framesDropped());
      g.writeObjectFieldStart("dropped_by_reason");
      for (Map.Entry<String, Long> e : st.droppedByReason().entrySet()) {
        g.writeNumberField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
      g.writeNumberField("bytes_received", st.bytesReceived());
      g.writeNumberField("audio_ms", st.audioMs());
      g.writeNumberField("seq_missing", st.seqMissing());
      g.writeEndObject();
    }
    g.writeEndObject();
  }
}
