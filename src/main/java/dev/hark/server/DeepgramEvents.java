package dev.hark.server;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.hark.protocol.MessageEncoder;
import dev.hark.protocol.ServerMessage;
import dev.hark.protocol.SourceStats;
import dev.hark.protocol.Word;
import java.io.IOException;
import java.time.Instant;

/**
 * Deepgram's live server events as {@link DeepgramDialect} sends them: {@code Results}, {@code SpeechStarted},
 * {@code UtteranceEnd}, {@code Metadata}, and for what Deepgram has no word for, {@code Warning} and {@code Error}
 * carrying Hark's own message.
 */
final class DeepgramEvents {
  /** What Deepgram calls its model: Hark says only that it is Hark (the recognizer is the server's --asr). */
  private static final String MODEL = "hark";

  private final DeepgramDialect.Options options;
  private volatile String requestId = "";

  DeepgramEvents(DeepgramDialect.Options options) {
    this.options = options;
  }

  /** Deepgram's request id is the session's id. */
  void requestId(String id) {
    requestId = id;
  }

  /** A Hark error, which the session survives. */
  String error(ServerMessage.ErrorMessage e) {
    return JsonFields.write(g -> {
      g.writeStartObject();
      g.writeStringField("type", "Error");
      g.writeStringField("code", e.code().wire());
      g.writeStringField("description", e.message());
      g.writeEndObject();
    });
  }

  private void channelIndex(JsonGenerator g, String field, int c) throws IOException {
    g.writeArrayFieldStart(field);
    g.writeNumber(c);
    g.writeNumber(options.sources());
    g.writeEndArray();
  }

  /** A {@code Results} message; a Hark final is also an end of speech (Vosk finalizes at a pause). */
  String results(int c, ServerMessage.Transcript t, boolean speechFinal, boolean fromFinalize) {
    return JsonFields.write(g -> {
      g.writeStartObject();
      g.writeStringField("type", "Results");
      channelIndex(g, "channel_index", c);
      g.writeNumberField("duration", (t.endMs() - t.startMs()) / 1000.0);
      g.writeNumberField("start", t.startMs() / 1000.0);
      g.writeBooleanField("is_final", t.isFinal());
      g.writeBooleanField("speech_final", speechFinal);
      g.writeBooleanField("from_finalize", fromFinalize);
      g.writeObjectFieldStart("channel");
      g.writeArrayFieldStart("alternatives");
      g.writeStartObject();
      g.writeStringField("transcript", t.text());
      double confidence = t.words().stream().mapToDouble(Word::confidence).average().orElse(t.text().isEmpty() ? 0
          : 1);
      g.writeNumberField("confidence", Math.round(confidence * 1000) / 1000.0);
      g.writeArrayFieldStart("words");
      for (Word w : t.words()) {
        g.writeStartObject();
        g.writeStringField("word", w.word());
        g.writeNumberField("start", w.startMs() / 1000.0);
        g.writeNumberField("end", w.endMs() / 1000.0);
        g.writeNumberField("confidence", Math.round(w.confidence() * 1000) / 1000.0);
        g.writeStringField("punctuated_word", w.word());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndArray();
      g.writeEndObject();
      g.writeObjectFieldStart("metadata");
      g.writeStringField("request_id", requestId);
      g.writeObjectFieldStart("model_info");
      g.writeStringField("name", MODEL);
      g.writeStringField("version", "");
      g.writeStringField("arch", MODEL);
      g.writeEndObject();
      g.writeStringField("model_uuid", MODEL);
      g.writeEndObject();
      g.writeEndObject();
    });
  }

  String metadata(ServerMessage.Stopped s) {
    long audioMs = s.sources().stream().mapToLong(SourceStats::audioMs).max().orElse(0);
    return JsonFields.write(g -> {
      g.writeStartObject();
      g.writeStringField("type", "Metadata");
      g.writeStringField("transaction_key", "deprecated");
      g.writeStringField("request_id", requestId);
      g.writeStringField("sha256", "");
      g.writeStringField("created", Instant.now().toString());
      g.writeNumberField("duration", audioMs / 1000.0);
      g.writeNumberField("channels", options.channels());
      // Not Deepgram's: what Hark counted, so that a client can see what it lost.
      g.writeFieldName("hark");
      g.writeRawValue(MessageEncoder.toJson(s));
      g.writeEndObject();
    });
  }

  /** A Hark status, which Deepgram has no word for: a {@code Warning} with Hark's code and the status itself. */
  String warning(String code, String source, ServerMessage hark) {
    return JsonFields.write(g -> {
      g.writeStartObject();
      g.writeStringField("type", "Warning");
      g.writeStringField("code", code);
      g.writeStringField("description", code.substring("hark.".length()).replace('_', ' ')
          + (source == null ? "" : " on " + source));
      if (source != null) {
        channelIndex(g, "channel_index", DeepgramDialect.channelOf(source));
      }
      g.writeFieldName("hark");
      g.writeRawValue(MessageEncoder.toJson(hark));
      g.writeEndObject();
    });
  }

  /** {@code SpeechStarted} or {@code UtteranceEnd} of channel {@code c}, with one time in seconds. */
  String timed(String type, int c, String timeField, long ms) {
    return JsonFields.write(g -> {
      g.writeStartObject();
      g.writeStringField("type", type);
      channelIndex(g, "channel", c);
      g.writeNumberField(timeField, ms / 1000.0);
      g.writeEndObject();
    });
  }
}
