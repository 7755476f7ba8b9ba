package dev.hark.server;

import dev.hark.ingest.SessionState;
import dev.hark.ingest.SourceQueue;
import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.ClientMessage;
import dev.hark.protocol.ErrorCode;
import dev.hark.protocol.ServerMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * OpenAI's Realtime transcription protocol ({@code /v1/realtime}) on a Hark session, for clients written against
 * it: {@code session.update} (or the beta {@code transcription_session.update}), {@code input_audio_buffer.append}
 * with Base64 PCM16 at 24 kHz, {@code commit} and {@code clear}; answered with speech started and stopped,
 * {@code committed}, transcription {@code delta} and {@code completed}, and {@code error} events. With server VAD
 * (the default) Hark's recognizer ends each turn at a pause; with {@code turn_detection: null} the client's commit
 * does. The audio is one Hark source, {@code mic}.
 */
final class OpenAiDialect extends Dialect {
  static final String PATH = "/v1/realtime";
  static final int SAMPLE_RATE = 24_000;
  private static final String SOURCE = "mic";
  /** The model a session names until the client names one (which is echoed, not used: the recognizer is --asr). */
  private static final String DEFAULT_MODEL = "hark";

  /** What a pending flush was asked by: a commit's transcript goes out, a clear's is thrown away. */
  private enum FlushFor { COMMIT, CLEAR }

  // All guarded by this: the client's events arrive on the event loop, results on decoding threads.
  private final ArrayDeque<FlushFor> flushes = new ArrayDeque<>();
  private final List<String> uncommitted = new ArrayList<>();
  private String model = DEFAULT_MODEL;
  private boolean serverVad = true;
  private String speechItem;
  private String lastItem;
  private String deltaSent = "";
  private boolean finalSinceCommit;
  private long bytesSinceCommit;

  private final HarkMetrics metrics;
  private final OpenAiEvents out;

  OpenAiDialect(Channel channel, NettySessionChannel wire, HarkMetrics metrics) {
    super(channel, wire);
    this.metrics = metrics;
    this.out = new OpenAiEvents(wire);
  }

  @Override
  void opened(SessionState session) {
    out.sessionId(session.id());
    session.handle(new ClientMessage.Start(SAMPLE_RATE, List.of(SOURCE), null, Map.of()));
    out.event("session.created", g -> out.session(g, false, model, serverVad));
  }

  @Override
  void read(SessionState session, ByteBuf content, boolean text) {
    if (!text) {
      reject(ErrorCode.BAD_MESSAGE, "invalid_event", "binary frames are not part of this protocol: send audio in "
          + "input_audio_buffer.append", null, null);
      return;
    }
    Map<String, Object> event = JsonFields.read(content.toString(StandardCharsets.UTF_8));
    if (event == null) {
      reject(ErrorCode.BAD_MESSAGE, "invalid_json", "the event is not a JSON object", null, null);
      return;
    }
    String type = JsonFields.string(event, "type");
    String eventId = JsonFields.string(event, "event_id");
    switch (type == null ? "" : type) {
      case "input_audio_buffer.append" -> append(session, event, eventId);
      case "input_audio_buffer.commit" -> {
        synchronized (this) {
          if (bytesSinceCommit == 0) {
            reject(ErrorCode.BAD_STATE, "input_audio_buffer_commit_empty",
                "no audio was appended since the last commit", null, eventId);
            return;
          }
        }
        flush(session, FlushFor.COMMIT, eventId);
      }
      case "input_audio_buffer.clear" -> flush(session, FlushFor.CLEAR, eventId);
      case "session.update", "transcription_session.update" -> update(event, type, eventId);
      default -> reject(ErrorCode.UNKNOWN_TYPE, "invalid_event", type == null ? "type is missing"
          : "Hark serves transcription sessions: it takes session.update, input_audio_buffer.append, commit and clear",
          "type", eventId);
    }
  }

  /**
   * A commit or clear: a flush of the source, answered in order. As many may be pending as the source's queue
   * takes ({@link SourceQueue#MAX_FLUSHES}); one more is refused here, before the session would refuse it, so every
   * pending one is answered once.
   */
  private void flush(SessionState session, FlushFor what, String eventId) {
    synchronized (this) {
      if (flushes.size() >= SourceQueue.MAX_FLUSHES) {
        reject(ErrorCode.BAD_STATE, "too_many_pending", SourceQueue.MAX_FLUSHES + " commits and clears are "
            + "pending already: wait for their answers", null, eventId);
        return;
      }
      bytesSinceCommit = 0;
      flushes.add(what);
    }
    session.handle(new ClientMessage.Flush(SOURCE));
  }

  private void append(SessionState session, Map<String, Object> event, String eventId) {
    String audio = JsonFields.string(event, "audio");
    byte[] pcm;
    try {
      pcm = audio == null ? null : Base64.getDecoder().decode(audio);
    } catch (IllegalArgumentException e) {
      pcm = null;
    }
    if (pcm == null || pcm.length < 2) {
      reject(ErrorCode.BAD_AUDIO, "invalid_value", "audio must be Base64 PCM16 at 24 kHz", "audio", eventId);
      return;
    }
    if ((pcm.length & 1) != 0) {
      pcm = Arrays.copyOf(pcm, pcm.length - 1); // whole samples; a stray last byte is not audio
    }
    synchronized (this) {
      bytesSinceCommit += pcm.length;
    }
    session.handle(new ClientMessage.Audio(SOURCE, pcm, -1));
  }

  private void update(Map<String, Object> event, String type, String eventId) {
    boolean beta = type.startsWith("transcription_session");
    String sessionType = JsonFields.string(event, "session", "type");
    if (sessionType != null && !sessionType.equals("transcription")) {
      reject(ErrorCode.BAD_MESSAGE, "invalid_value", "Hark transcribes: session.type must be transcription",
          "session.type", eventId);
      return;
    }
    String[] format = beta ? new String[] {"session", "input_audio_format"}
        : new String[] {"session", "audio", "input", "format", "type"};
    String f = JsonFields.string(event, format);
    if (f != null && !f.equals(beta ? "pcm16" : "audio/pcm")) {
      reject(ErrorCode.BAD_MESSAGE, "invalid_value", "Hark takes PCM16 audio only (" + (beta ? "pcm16"
          : "audio/pcm") + ")", String.join(".", format), eventId);
      return;
    }
    Object rate = JsonFields.at(event, "session", "audio", "input", "format", "rate");
    if (rate instanceof Number n && n.intValue() != SAMPLE_RATE) {
      reject(ErrorCode.BAD_SAMPLE_RATE, "invalid_value", "the audio rate is 24000 Hz",
          "session.audio.input.format.rate",
          eventId);
      return;
    }
    String[] turn = beta ? new String[] {"session", "turn_detection"}
        : new String[] {"session", "audio", "input", "turn_detection"};
    String[] modelAt = beta ? new String[] {"session", "input_audio_transcription", "model"}
        : new String[] {"session", "audio", "input", "transcription", "model"};
    synchronized (this) {
      if (JsonFields.has(event, turn)) {
        serverVad = JsonFields.at(event, turn) != null;
      }
      if (JsonFields.string(event, modelAt) != null) {
        model = JsonFields.string(event, modelAt);
      }
    }
    String m;
    boolean vad;
    synchronized (this) {
      m = model;
      vad = serverVad;
    }
    out.event(beta ? "transcription_session.updated" : "session.updated", g -> out.session(g, beta, m, vad));
  }

  @Override
  public void send(ServerMessage message) {
    switch (message) {
      case ServerMessage.Transcript t -> transcript(t);
      case ServerMessage.Flushed f -> flushed();
      case ServerMessage.ErrorMessage e -> out.error("invalid_request_error", e.code().wire(), e.message(), null, null,
          null);
      case ServerMessage.Status s -> overload(s.state().wire(), message);
      case ServerMessage.SeqGap g -> overload("gap", message);
      case ServerMessage.Closing c -> overload(c.reason().equals("max_duration") ? "session_expired" : "closing",
          message);
      case ServerMessage.Ready r -> { } // the session was announced with session.created
      case ServerMessage.Pong p -> { }
      case ServerMessage.Ack a -> { } // not sent to a dialect: it does not acknowledgesAudio()
      case ServerMessage.Stopped s -> { }
    }
  }

  private synchronized void transcript(ServerMessage.Transcript t) {
    if (flushes.peek() == FlushFor.CLEAR) {
      return; // audio the client cleared: what it says is not wanted
    }
    if (!serverVad) {
      if (t.isFinal()) {
        uncommitted.add(t.text()); // the client's commit ends the turn
      }
      return;
    }
    if (speechItem == null) {
      speechItem = out.newItem();
      String item = speechItem;
      out.event("input_audio_buffer.speech_started", g -> {
        g.writeNumberField("audio_start_ms", t.startMs());
        g.writeStringField("item_id", item);
      });
    }
    String item = speechItem;
    if (t.text().startsWith(deltaSent) && t.text().length() > deltaSent.length()) {
      String delta = t.text().substring(deltaSent.length());
      deltaSent = t.text();
      out.event("conversation.item.input_audio_transcription.delta", g -> {
        g.writeStringField("item_id", item);
        g.writeNumberField("content_index", 0);
        g.writeStringField("delta", delta);
      });
    }
    if (t.isFinal()) {
      out.event("input_audio_buffer.speech_stopped", g -> {
        g.writeNumberField("audio_end_ms", t.endMs());
        g.writeStringField("item_id", item);
      });
      complete(item, t.text(), (t.endMs() - t.startMs()) / 1000.0);
      speechItem = null;
      deltaSent = "";
      finalSinceCommit = true;
    }
  }

  /** A flush asked by a commit or a clear is done. */
  private synchronized void flushed() {
    FlushFor done = flushes.poll();
    if (done == FlushFor.CLEAR) {
      uncommitted.clear();
      speechItem = null;
      deltaSent = "";
      out.event("input_audio_buffer.cleared", g -> { });
    } else if (done == FlushFor.COMMIT && (!serverVad || !finalSinceCommit)) {
      String text = String.join(" ", uncommitted);
      uncommitted.clear();
      String item = speechItem != null ? speechItem : out.newItem();
      speechItem = null;
      deltaSent = "";
      complete(item, text, 0);
    }
    finalSinceCommit = false;
  }

  /** The buffer became an item, and its transcript is complete. */
  private void complete(String item, String text, double seconds) {
    String previous = lastItem;
    lastItem = item;
    out.event("input_audio_buffer.committed", g -> {
      g.writeStringField("previous_item_id", previous);
      g.writeStringField("item_id", item);
    });
    out.event("conversation.item.input_audio_transcription.completed", g -> {
      g.writeStringField("item_id", item);
      g.writeNumberField("content_index", 0);
      g.writeStringField("transcript", text);
      g.writeObjectFieldStart("usage");
      g.writeStringField("type", "duration");
      g.writeNumberField("seconds", seconds);
      g.writeEndObject();
    });
  }

  /** Audio dropped, a source shed, the session ending: OpenAI has no word for these but its error event. */
  private void overload(String code, ServerMessage hark) {
    out.error("server_error", "hark." + code, "Hark: " + code.replace('_', ' ') + " (see the hark field)", null, null,
        hark);
  }

  /** A client event Hark cannot take: counted under Hark's code, told in OpenAI's error shape with its code. */
  private void reject(ErrorCode counted, String code, String message, String param, String eventId) {
    metrics.protocolError(counted);
    out.error("invalid_request_error", code, message, param, eventId, null);
  }
}
