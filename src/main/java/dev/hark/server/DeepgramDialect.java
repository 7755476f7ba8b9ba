package dev.hark.server;

import dev.hark.ingest.IngestSettings;
import dev.hark.ingest.SessionState;
import dev.hark.ingest.SourceQueue;
import dev.hark.protocol.ClientMessage;
import dev.hark.protocol.ErrorCode;
import dev.hark.protocol.MessageDecoder;
import dev.hark.protocol.ProtocolError;
import dev.hark.protocol.ServerMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Deepgram's live transcription protocol ({@code /v1/listen}) on a Hark session, for clients written against
 * Deepgram: the query says the audio ({@code encoding=linear16}, {@code sample_rate}, {@code channels}); binary
 * frames carry it; {@code KeepAlive}, {@code Finalize} and {@code CloseStream} control it; {@code Results},
 * {@code SpeechStarted}, {@code UtteranceEnd} and {@code Metadata} answer. With {@code multichannel=true} each
 * interleaved channel is a Hark source of its own ({@link #sourceName}), with its own queue; otherwise the channels
 * are mixed to one. Hark's statuses go out as {@code Warning}, its errors as {@code Error}.
 */
final class DeepgramDialect extends Dialect {
  static final String PATH = "/v1/listen";

  /** What the upgrade's query asked for, checked by {@link #problem} before the upgrade. */
  record Options(int sampleRate, int channels, boolean multichannel, boolean interimResults, boolean vadEvents,
      boolean utteranceEnd) {
    static Options of(RequestTarget.Parsed t) {
      String rate = t.param("sample_rate");
      String channels = t.param("channels");
      String utteranceEndMs = t.param("utterance_end_ms");
      return new Options(rate == null ? 16_000 : Integer.parseInt(rate),
          channels == null ? 1 : Integer.parseInt(channels), "true".equals(t.param("multichannel")),
          "true".equals(t.param("interim_results")), "true".equals(t.param("vad_events")),
          utteranceEndMs != null && Integer.parseInt(utteranceEndMs) > 0);
    }

    int sources() {
      return multichannel ? channels : 1;
    }
  }

  private final Options options;
  private final InterleavedPcm pcm;
  private final DeepgramEvents events;
  // Per source, guarded by this: results arrive from decoding threads.
  /** Finalize messages not answered yet: each is answered by its own flushed, in order. */
  private final int[] finalizing;
  /** A final went out since the last flushed while a Finalize was pending: that Finalize has its answer. */
  private final boolean[] finalSinceFinalize;
  private final boolean[] speaking;

  DeepgramDialect(Channel channel, NettySessionChannel wire, Options options) {
    super(channel, wire);
    this.options = options;
    this.pcm = new InterleavedPcm(options.channels(), options.multichannel());
    this.events = new DeepgramEvents(options);
    this.finalizing = new int[options.sources()];
    this.finalSinceFinalize = new boolean[options.sources()];
    this.speaking = new boolean[options.sources()];
  }

  /** Hark's source for Deepgram channel {@code c}: {@code mic}, {@code system}, then {@code channel2} and on. */
  static String sourceName(int c) {
    return switch (c) {
      case 0 -> "mic";
      case 1 -> "system";
      default -> "channel" + c;
    };
  }

  static int channelOf(String source) {
    return switch (source) {
      case "mic" -> 0;
      case "system" -> 1;
      default -> Integer.parseInt(source.substring("channel".length()));
    };
  }

  /** Why the upgrade's query cannot be served, as Deepgram answers before the upgrade (400); or null. */
  static HttpError problem(RequestTarget.Parsed t, IngestSettings settings) {
    String encoding = t.param("encoding");
    if (encoding != null && !encoding.equals("linear16")) {
      return HttpError.badRequest("encoding must be linear16: Hark takes raw PCM16 little-endian audio");
    }
    if (!isInt(t.param("sample_rate"), MessageDecoder.MIN_SAMPLE_RATE, MessageDecoder.MAX_SAMPLE_RATE)) {
      return HttpError.badRequest("sample_rate must be from " + MessageDecoder.MIN_SAMPLE_RATE + " to "
          + MessageDecoder.MAX_SAMPLE_RATE);
    }
    if (!isInt(t.param("channels"), 1, settings.maxSources())) {
      return HttpError.badRequest("channels must be from 1 to " + settings.maxSources() + " (--max-sources)");
    }
    for (String flag : List.of("multichannel", "interim_results", "vad_events", "punctuate", "smart_format")) {
      String v = t.param(flag);
      if (v != null && !v.equals("true") && !v.equals("false")) {
        return HttpError.badRequest(flag + " must be true or false");
      }
    }
    if (!isInt(t.param("utterance_end_ms"), 0, 60_000)) {
      return HttpError.badRequest("utterance_end_ms must be a whole number of milliseconds up to 60000");
    }
    return null;
  }

  /** True for an absent value or a whole number in range. */
  private static boolean isInt(String v, int min, int max) {
    if (v == null) {
      return true;
    }
    if (v.isEmpty() || v.length() > 6 || !v.chars().allMatch(Character::isDigit)) {
      return false;
    }
    int n = Integer.parseInt(v);
    return n >= min && n <= max;
  }

  @Override
  void opened(SessionState session) {
    events.requestId(session.id());
    List<String> names = new ArrayList<>();
    for (int c = 0; c < options.sources(); c++) {
      names.add(sourceName(c));
    }
    session.handle(new ClientMessage.Start(options.sampleRate(), names, null, Map.of()));
  }

  @Override
  void read(SessionState session, ByteBuf content, boolean text) {
    if (!text) {
      if (content.readableBytes() == 0) {
        session.handle(ClientMessage.STOP); // Deepgram's older way to close the stream: an empty binary message
      } else {
        audio(session, content);
      }
      return;
    }
    Map<String, Object> fields = JsonFields.read(content.toString(StandardCharsets.UTF_8));
    String type = fields == null ? null : JsonFields.string(fields, "type");
    switch (type == null ? "" : type) {
      case "KeepAlive" -> { } // it kept the connection from going idle by arriving
      case "Finalize" -> finalizeAll(session);
      case "CloseStream" -> session.handle(ClientMessage.STOP);
      default -> session.reject(new ProtocolError(fields == null ? ErrorCode.BAD_MESSAGE
          : ErrorCode.UNKNOWN_TYPE, fields == null ? "a text message must be a JSON object"
          : "type must be KeepAlive, Finalize or CloseStream"), null);
    }
  }

  /**
   * {@code Finalize}: a flush of every source, each answered by its own {@code flushed}. As many may be pending as a
   * source's queue takes ({@link SourceQueue#MAX_FLUSHES}); one more is refused here, before the session would
   * refuse it, so that every Finalize gets exactly one answer: its results, or an {@code Error}.
   */
  private void finalizeAll(SessionState session) {
    if (session.isEnding()) {
      session.handle(new ClientMessage.Flush(null)); // refused by the session: stop flushed everything
      return;
    }
    synchronized (this) {
      if (finalizing[0] >= SourceQueue.MAX_FLUSHES) {
        session.reject(new ProtocolError(ErrorCode.BAD_STATE, SourceQueue.MAX_FLUSHES
            + " Finalize are pending already: wait for their results"), null);
        return;
      }
      for (int c = 0; c < finalizing.length; c++) {
        if (finalizing[c]++ == 0) {
          finalSinceFinalize[c] = false;
        }
      }
    }
    session.handle(new ClientMessage.Flush(null));
  }

  @Override
  boolean readOverRate(SessionState session, ByteBuf content, boolean text) {
    if (ConnectionRate.mayEndSession(content, text)
        && content.toString(StandardCharsets.UTF_8).contains("CloseStream")) {
      read(session, content, true);
      return true;
    }
    return false;
  }

  /** Splits (multichannel) or mixes the interleaved channels into chunks of the sources. */
  private void audio(SessionState session, ByteBuf content) {
    byte[][] chunks = pcm.take(content);
    for (int c = 0; c < chunks.length; c++) {
      if (chunks[c] != null) {
        session.handle(new ClientMessage.Audio(sourceName(c), chunks[c], -1));
      }
    }
  }

  @Override
  public void send(ServerMessage message) {
    switch (message) {
      case ServerMessage.Transcript t -> transcript(t);
      case ServerMessage.Flushed f -> {
        int c = channelOf(f.source());
        boolean empty;
        synchronized (this) {
          empty = finalizing[c] > 0 && !finalSinceFinalize[c];
          finalizing[c] = Math.max(0, finalizing[c] - 1);
          finalSinceFinalize[c] = false;
        }
        if (empty) { // Deepgram answers every Finalize with a final result, even one with nothing in it
          wire.sendText(events.results(c, new ServerMessage.Transcript(f.source(), "", true, 0, 0, List.of()), false,
              true));
        }
      }
      case ServerMessage.Stopped s -> wire.sendText(events.metadata(s));
      case ServerMessage.Status s -> wire.sendText(events.warning("hark." + s.state().wire(), s.source(), message));
      case ServerMessage.SeqGap g -> wire.sendText(events.warning("hark.gap", g.source(), message));
      case ServerMessage.Closing c -> wire.sendText(events.warning("hark.closing", null, message));
      case ServerMessage.ErrorMessage e -> wire.sendText(events.error(e));
      case ServerMessage.Ready r -> { } // Deepgram's session starts with the upgrade
      case ServerMessage.Pong p -> { }
      case ServerMessage.Ack a -> { } // not sent to a dialect: it does not acknowledgesAudio()
    }
  }

  private void transcript(ServerMessage.Transcript t) {
    int c = channelOf(t.source());
    boolean startedSpeaking;
    boolean fromFinalize;
    synchronized (this) {
      startedSpeaking = !speaking[c] && !t.text().isEmpty();
      speaking[c] = !t.isFinal();
      fromFinalize = t.isFinal() && finalizing[c] > 0;
      if (t.isFinal()) {
        finalSinceFinalize[c] = true;
      }
    }
    if (startedSpeaking && options.vadEvents()) {
      wire.sendText(events.timed("SpeechStarted", c, "timestamp", t.startMs()));
    }
    if (t.isFinal() || options.interimResults()) {
      wire.sendText(events.results(c, t, t.isFinal() && !fromFinalize, fromFinalize));
    }
    if (t.isFinal() && options.utteranceEnd() && !fromFinalize) {
      wire.sendText(events.timed("UtteranceEnd", c, "last_word_end", t.endMs()));
    }
  }
}
