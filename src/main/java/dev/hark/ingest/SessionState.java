package dev.hark.ingest;

import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.ClientMessage;
import dev.hark.protocol.CloseCode;
import dev.hark.protocol.ErrorCode;
import dev.hark.protocol.OverflowPolicy;
import dev.hark.protocol.ProtocolError;
import dev.hark.protocol.ServerMessage;
import dev.hark.protocol.ShedReason;
import dev.hark.protocol.SourceStats;
import dev.hark.recording.Recording;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client session: its sources, sample rate and overflow policy, and the life from {@code start} through audio
 * to {@code stop} or a lost connection. Every method runs on the session's own thread (its Netty event loop).
 */
public final class SessionState {
  private static final Logger log = LoggerFactory.getLogger(SessionState.class);

  private final String id;
  private final SessionChannel channel;
  private final ConcurrencyController controller;
  private final Recognition recognition;
  private final IngestSettings settings;
  private final HarkMetrics metrics;
  private final SessionSources sources = new SessionSources();
  private final Backpressure backpressure;
  private final AudioAcks acks = new AudioAcks(this);
  private final long openedNanos;
  private final Recording recording;
  private final int maxMessagesPerSecond;
  private final SessionCredits credits;

  // Owned by the session's thread (its event loop): every message, status and close runs there.
  private int sampleRate;
  private OverflowPolicy policy;
  /** Written on the session's thread; volatile because the capacity control reads it from its timer thread. */
  private volatile SessionPhase phase = SessionPhase.NEW;
  /** After stop: queues drained, recording on disk, then {@code stopped} (kept so the chain is not lost). */
  private CompletableFuture<Void> stopSequence;
  /** Takes the session up again after a lost connection; null when resuming is off. Written before start. */
  private String resumeToken;
  private int closeCode = CloseCode.NORMAL;
  private String closeReason = "stopped";

  /**
   * With {@code recordDir} non-null, every accepted chunk is also appended to a WAV file there (see Recording);
   * {@code maxMessagesPerSecond} is the rate the server enforces, told to the client in {@code ready}.
   */
  public SessionState(String id, SessionChannel channel, ConcurrencyController controller, Recognition recognition,
      Path recordDir, int maxMessagesPerSecond) {
    this(id, channel, controller, recognition, recordDir, maxMessagesPerSecond, -1);
  }

  /**
   * With {@code openingCredit} the cost {@link SessionAdmission#tryReserve()} reserved with this session's slot
   * (-1 if none was), which its first source takes.
   */
  public SessionState(String id, SessionChannel channel, ConcurrencyController controller, Recognition recognition,
      Path recordDir, int maxMessagesPerSecond, long openingCredit) {
    this.credits = new SessionCredits(controller.ledger(), openingCredit);
    this.id = id;
    this.maxMessagesPerSecond = maxMessagesPerSecond;
    this.recording = new Recording(recordDir, id);
    this.channel = channel;
    this.controller = controller;
    this.openedNanos = controller.now();
    this.recognition = recognition;
    this.settings = controller.settings();
    this.metrics = controller.metrics();
    this.sampleRate = settings.sampleRate();
    this.policy = settings.overflow();
    this.backpressure = new Backpressure(this, controller);
    metrics.sessionStarted();
    log.info("session={} opened from {}", id, channel.remoteAddress());
  }

  public String id() {
    return id;
  }

  public OverflowPolicy policy() {
    return policy;
  }

  ConcurrencyController controller() {
    return controller;
  }

  SessionChannel channel() {
    return channel;
  }

  Iterable<SourceState> sources() {
    return sources.all();
  }

  /** Acts on one decoded client message. */
  public void handle(ClientMessage m) {
    assert channel.inSessionThread() : "session " + id + " handled a message off its thread";
    switch (m) {
      case ClientMessage.Audio a -> audio(a.source(), a.pcm(), a.seq());
      case ClientMessage.BinaryAudio b -> binaryAudio(b.sourceIndex(), b.pcm());
      case ClientMessage.Start s -> start(s);
      case ClientMessage.Stop s -> {
        if (!stopping()) {
          beginStop();
        } else if (closeCode != CloseCode.GOING_AWAY) { // a stop crossing the server's closing is what it wants
          reject(ErrorCode.BAD_STATE, "stop was already received", null);
        }
      }
      case ClientMessage.Ping p -> channel.send(new ServerMessage.Pong());
      case ClientMessage.Flush f -> flush(f.source());
    }
  }

  private void flush(String name) {
    ProtocolError e = stopping() ? new ProtocolError(ErrorCode.BAD_STATE, "flush after stop is ignored: stop "
        + "flushes every source") : sources.flush(name);
    if (e != null) {
      reject(e, name);
    }
  }

  /** Answers a client mistake with a typed error; the session goes on. */
  public void reject(ProtocolError e, String source) {
    metrics.protocolError(e.code());
    channel.send(new ServerMessage.ErrorMessage(e.code(), e.message(), source));
  }

  private void reject(ErrorCode code, String message, String source) {
    reject(new ProtocolError(code, message), source);
  }

  private void start(ClientMessage.Start s) {
    if (phase != SessionPhase.NEW) {
      reject(ErrorCode.BAD_STATE, stopping() ? "the session is stopping" : phase == SessionPhase.STARTED
          ? "start was already received" : "start must come before any audio", null);
      return;
    }
    List<String> names = s.sources() == null ? List.of() : s.sources();
    if (names.size() > settings.maxSources()) {
      reject(ErrorCode.TOO_MANY_SOURCES, "at most " + settings.maxSources() + " sources per session, got "
          + names.size(), null);
      return;
    }
    if (!credits.reserveFor(names.size())) {
      reject(ErrorCode.ASR_CAPACITY, "the recognizer cannot take " + names.size() + " more stream(s) now; try "
          + "again later", null);
      metrics.sessionRefused("asr_capacity");
      channel.close(CloseCode.TRY_AGAIN_LATER, "asr_capacity: try again later");
      return;
    }
    phase = SessionPhase.STARTED;
    sampleRate = s.sampleRate() == null ? settings.sampleRate() : s.sampleRate();
    policy = s.overflow() == null ? settings.overflow() : s.overflow();
    sources.priorities(s.priority());
    for (String name : names) {
      openSource(name, true);
    }
    channel.send(ready(false));
  }

  private ServerMessage.Ready ready(boolean resumed) {
    return new ServerMessage.Ready(id, sampleRate, settings.queueMax(), policy, sources.names().stream().toList(),
        settings.maxSources(), maxMessagesPerSecond, resumeToken, resumed, resumed ? sources.nextSeqs() : Map.of());
  }

  /** The token that resumes this session from now on (a fresh one after each resume); null turns resuming off. */
  public void resumeToken(String token) {
    resumeToken = token;
  }

  /** Hands the recordings' buffered audio to the operating system, before an acknowledgement says it arrived. */
  void writeRecordings() {
    String failure = recording.writeBuffered();
    if (failure != null) {
      reject(ErrorCode.RECORDING_FAILED, failure, null);
    }
  }

  /** True until the first message ({@code start} or audio) of the session. */
  public boolean isFresh() {
    return phase == SessionPhase.NEW;
  }

  /** Runs {@code task} on the session's own thread, where all of its state is changed. */
  public void onOwnThread(Runnable task) {
    channel.execute(task);
  }

  /** Whether a lost connection may leave this session waiting to be resumed: it started and was not stopped. */
  public boolean resumable() {
    return resumeToken != null && (phase == SessionPhase.STARTED || phase == SessionPhase.STREAMING_WITHOUT_START);
  }

  /**
   * A new connection took this session up: it is told {@code ready} with {@code resumed} and each source's next
   * expected {@code seq}, from which it re-sends.
   */
  public void resumed() {
    assert channel.inSessionThread();
    for (SourceState src : sources.all()) {
      src.resumed();
    }
    channel.send(ready(true));
  }

  private void binaryAudio(int index, byte[] pcm) {
    SourceState src = sources.declared(index);
    if (src == null) {
      reject(ErrorCode.UNKNOWN_SOURCE, "binary frame names source index " + index + " but start declared "
          + sources.declaredCount() + " source(s)", null);
      return;
    }
    audio(src.name(), pcm, -1);
  }

  private void audio(String name, byte[] pcm, long seq) {
    if (stopping()) {
      reject(ErrorCode.BAD_STATE, closeCode == CloseCode.GOING_AWAY
          ? "the server is ending this session (" + closeReason + "): audio is no longer taken"
          : "audio after stop is ignored", name);
      return;
    }
    if (phase == SessionPhase.NEW) {
      phase = SessionPhase.STREAMING_WITHOUT_START;
    }
    SourceState src = sources.get(name);
    if (src == null) {
      if (sources.count() >= settings.maxSources()) {
        reject(ErrorCode.TOO_MANY_SOURCES, "at most " + settings.maxSources() + " sources per session; \""
            + name + "\" would be one more", name);
        return;
      }
      src = openSource(name, false);
    }
    if (!src.takeAfterResume(seq, pcm.length, messagesAllowed())) {
      return; // re-sent after a resume, but it had arrived before: counted, not queued twice
    }
    long now = controller.now();
    Chunk chunk = src.receive(pcm, now);
    String failure = recording.append(name, pcm, sampleRate);
    if (failure != null) {
      reject(ErrorCode.RECORDING_FAILED, failure, name);
    }
    ServerMessage.SeqGap gap = seq < 0 ? null : src.seqGap(seq, now);
    if (gap != null) {
      channel.send(gap);
    } else if (seq < 0) {
      src.implicitSeq();
    }
    acks.received();
    backpressure.submitted(src, controller.submitChunk(this, src, chunk), now);
  }

  /**
   * Opens a source with its share of the recognizer: a credit if one is held, else a new reservation of the prior.
   * One that does not fit opens shed (told {@code source_dropped}, reason {@code asr_capacity}) and comes back when
   * there is room, as a source shed for capacity does; a {@code block} session's, never shed, is taken regardless.
   */
  private SourceState openSource(String name, boolean declare) {
    SourceState src = sources.open(this, name, sampleRate, declare);
    recognition.start(src.stream(), channel);
    if (!credits.give(src) && src.claimShed()) {
      shedSource(src, ShedReason.ASR_CAPACITY);
    }
    return src;
  }

  /**
   * The server ends the session as if the client had sent stop (shutdown, or the session's time is up): says
   * {@code closing}, lets queued audio reach the recognizer for up to {@code drainNanos}, sends {@code stopped},
   * and closes with 1001; whatever is still queued at the deadline is dropped (counted as session_closed).
   */
  public void endByServer(String reason, long drainNanos) {
    if (phase.atLeast(SessionPhase.STOPPED)) {
      return;
    }
    channel.send(new ServerMessage.Closing(reason, drainNanos / 1_000_000));
    closeCode = CloseCode.GOING_AWAY;
    closeReason = reason;
    if (!stopping()) {
      beginStop();
    }
    channel.schedule(() -> {
      if (!phase.atLeast(SessionPhase.STOPPED)) {
        log.info("session={} drain deadline passed with audio still queued", id);
        channel.close(CloseCode.GOING_AWAY, reason + ": drain timeout");
      }
    }, drainNanos);
  }

  private void beginStop() {
    phase = SessionPhase.STOPPING;
    CompletableFuture<Void> recognized = sources.endInput();
    channel.setReading(true);
    stopSequence = recognized
        // The recording is on disk before stopped says the session is over.
        .thenCompose(v -> recording.finish())
        .whenComplete((v, e) -> channel.execute(this::finishStop));
  }

  private void finishStop() {
    if (phase == SessionPhase.CLOSED) {
      return;
    }
    List<SourceStats> stats = stats();
    channel.send(new ServerMessage.Stopped(id, elapsedMs(), stats));
    logTotals("stopped", stats);
    phase = SessionPhase.STOPPED;
    channel.close(closeCode, closeReason);
  }

  /** The connection is gone (or closing): free the queues and end its streams. Idempotent. */
  public void close() {
    SessionPhase before = phase;
    if (before == SessionPhase.CLOSED) {
      return;
    }
    phase = SessionPhase.CLOSED;
    if (stopSequence != null) {
      stopSequence.cancel(false); // nobody is left to tell stopped
    }
    for (SourceState src : sources.abortAll()) {
      src.cost().release();
      controller.unregister(src);
      backpressure.sessionClosed(src);
    }
    controller.admission().release(credits.releaseUnused());
    recording.finish();
    if (before != SessionPhase.STOPPED) {
      logTotals(before == SessionPhase.STOPPING ? "closed while draining after stop" : "closed without stop",
          stats());
    }
  }

  void shedSource(SourceState src, ShedReason reason) {
    src.cost().release();
    backpressure.shed(src, phase == SessionPhase.CLOSED, reason);
  }

  /** Restores {@code src}, whose cost was reserved again by the caller; if it cannot come back, gives that back. */
  void restoreSource(SourceState src) {
    if (src.isShed() && phase != SessionPhase.CLOSED) {
      backpressure.restore(src);
    } else if (phase == SessionPhase.CLOSED) {
      src.cost().release(); // the closing released it already; this gives back what the restore reserved since
    }
  }

  List<SourceStats> stats() {
    return sources.stats(sampleRate);
  }

  /**
   * The most messages the session's rate lets it have sent since it opened (with the one-second burst): a bound on
   * how many frames a client's numbers may claim it sent.
   */
  private long messagesAllowed() {
    return Saturating.multiply(maxMessagesPerSecond, elapsedMs() / 1000 + 1);
  }

  private long elapsedMs() {
    return (controller.now() - openedNanos) / 1_000_000;
  }

  private void logTotals(String how, List<SourceStats> stats) {
    log.info("session={} {} after {} ms: sources={} {}", id, how, elapsedMs(), sources.names(),
        SourceStats.Totals.of(stats));
  }

  /** A source's recognizer is done with its stream. Any thread. */
  void streamEnded() {
    controller.streamEnded();
  }

  boolean isClosed() {
    return phase == SessionPhase.CLOSED;
  }

  /**
   * True once the session is ending: {@code stop} received, the server ending it, or the connection gone. Its client
   * then rightly sends nothing; any thread.
   */
  public boolean isEnding() {
    return stopping();
  }

  private boolean stopping() {
    return phase.atLeast(SessionPhase.STOPPING);
  }
}
