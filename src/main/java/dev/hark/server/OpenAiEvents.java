package dev.hark.server;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.hark.protocol.MessageEncoder;
import dev.hark.protocol.ServerMessage;
import java.io.IOException;

/**
 * OpenAI's Realtime server events as {@link OpenAiDialect} sends them: each with a fresh {@code event_id}, in
 * order; {@code error} in OpenAI's shape (with Hark's own message where OpenAI has no word for it); and the
 * transcription session as {@code session.created} and {@code session.updated} describe it.
 */
final class OpenAiEvents {
  private final NettySessionChannel wire;
  // Guarded by this: events are numbered and sent in one order, from the event loop and decoding threads.
  private String sessionId = "";
  private long events;
  private long items;

  OpenAiEvents(NettySessionChannel wire) {
    this.wire = wire;
  }

  synchronized void sessionId(String id) {
    sessionId = id;
  }

  /** A fresh conversation item id, for the next turn. */
  synchronized String newItem() {
    return "item_" + sessionId + "_" + ++items;
  }

  void error(String type, String code, String message, String param, String eventId, ServerMessage hark) {
    event("error", g -> {
      g.writeObjectFieldStart("error");
      g.writeStringField("type", type);
      g.writeStringField("code", code);
      g.writeStringField("message", message);
      g.writeStringField("param", param);
      g.writeStringField("event_id", eventId);
      g.writeEndObject();
      if (hark != null) {
        g.writeFieldName("hark");
        g.writeRawValue(MessageEncoder.toJson(hark));
      }
    });
  }

  /** Sends a server event of {@code type} with a fresh {@code event_id} and the fields {@code body} writes. */
  synchronized void event(String type, JsonFields.Writer body) {
    String id = "event_" + sessionId + "_" + ++events;
    wire.sendText(JsonFields.write(g -> {
      g.writeStartObject();
      g.writeStringField("type", type);
      g.writeStringField("event_id", id);
      body.write(g);
      g.writeEndObject();
    }));
  }

  /** The session as {@code session.created} and {@code session.updated} describe it (beta: its older shape). */
  void session(JsonGenerator g, boolean beta, String model, boolean serverVad) throws IOException {
    g.writeObjectFieldStart("session");
    g.writeStringField("id", "sess_" + sessionId);
    g.writeStringField("object", "realtime.transcription_session");
    if (beta) {
      g.writeStringField("input_audio_format", "pcm16");
      g.writeObjectFieldStart("input_audio_transcription");
      transcription(g, model);
      g.writeEndObject();
      turnDetection(g, serverVad);
    } else {
      g.writeStringField("type", "transcription");
      g.writeObjectFieldStart("audio");
      g.writeObjectFieldStart("input");
      g.writeObjectFieldStart("format");
      g.writeStringField("type", "audio/pcm");
      g.writeNumberField("rate", OpenAiDialect.SAMPLE_RATE);
      g.writeEndObject();
      g.writeObjectFieldStart("transcription");
      transcription(g, model);
      g.writeEndObject();
      turnDetection(g, serverVad);
      g.writeEndObject();
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static void transcription(JsonGenerator g, String model) throws IOException {
    g.writeStringField("model", model);
    g.writeStringField("language", "en");
  }

  private static void turnDetection(JsonGenerator g, boolean serverVad) throws IOException {
    if (!serverVad) {
      g.writeNullField("turn_detection");
      return;
    }
    // Hark ends a turn where its recognizer finds a pause; the fields are OpenAI's defaults, for clients that read
    // them.
    g.writeObjectFieldStart("turn_detection");
    g.writeStringField("type", "server_vad");
    g.writeNumberField("threshold", 0.5);
    g.writeNumberField("prefix_padding_ms", 300);
    g.writeNumberField("silence_duration_ms", 500);
    g.writeEndObject();
  }
}
