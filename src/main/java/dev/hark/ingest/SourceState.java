package dev.hark.ingest;

import dev.hark.metrics.HarkMetrics;
import dev.hark.metrics.SourceMeters;
import dev.hark.protocol.DropReason;
import dev.hark.protocol.ErrorCode;
import dev.hark.protocol.MessageDecoder;
import dev.hark.protocol.OverflowPolicy;
import dev.hark.protocol.ServerMessage;
import dev.hark.protocol.ShedReason;
import dev.hark.protocol.SourceStats;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One source of one session: its queue and stream, its counters, its backpressure episode and whether it is shed.
 * Counters that a decoding thread or the shedder also touch are atomic; the rest belong to the session thread.
 */
public final class SourceState {
  private static final Logger log = LoggerFactory.getLogger(SourceState.class);
  private final SessionState session;
  private final String name;
  private final SourceQueue queue;
  private final SourceMeters meters;
  private final PcmStream stream;
  private final BackpressureEpisode backpressure;
  /** Its share of the recognizer's capacity. */
  private final SourceCost cost;
  private final Map<DropReason, AtomicLong> dropped = new EnumMap<>(DropReason.class);
  private final AtomicLong consumed = new AtomicLong();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  /** Any thread: the ConcurrencyController claims a shed here before handing it to the session's thread. */
  private final AtomicBoolean shedPending = new AtomicBoolean();
  // Written on the session's thread, read by the capacity control on its timer thread: volatile.
  private volatile boolean shed;
  private volatile long shedAtNanos;
  private volatile ShedReason shedReason;
  /** Set by start's priority: a higher one is kept longer when the recognizer is at capacity. */
  private volatile int priority;
  private final long openedNanos;
  /** The session's policy when the source opened (it never changes after start): block sources are never shed. */
  private final boolean sheddable;

  // Owned by the session's thread.
  private long framesReceived;
  private long bytesReceived;
  private long samplesReceived;
  private long expectedSeq = -1;
  private long seqMissing;
  private long ackedSeq = -1;
  /** After a resume, until a frame numbered at or past the next expected one arrives. */
  private boolean resumed;
  private final OncePerInterval gapStatus;
  private boolean drainWatched;
  private final HarkMetrics metrics;

  SourceState(SessionState session, String name, SourceQueue queue, HarkMetrics metrics, int sampleRate,
      long statusIntervalNanos) {
    this.gapStatus = new OncePerInterval(statusIntervalNanos);
    this.openedNanos = session.controller().now();
    this.sheddable = session.policy() != OverflowPolicy.BLOCK;
    for (DropReason r : DropReason.values()) {
      dropped.put(r, new AtomicLong());
    }
    this.session = session;
    this.name = name;
    this.queue = queue;
    this.meters = metrics.source(name);
    this.metrics = metrics;
    this.backpressure = new BackpressureEpisode(statusIntervalNanos);
    this.stream = new PcmStream(this, queue, session.id(), sampleRate);
    this.cost = new SourceCost(session.controller().ledger());
  }

  SourceCost cost() {
    return cost;
  }

  /** A chunk reached the recognizer. Any thread. */
  void taken(Chunk c) {
    consumed.incrementAndGet();
    meters.consumed();
    metrics.queueWait(session.controller().now() - c.enqueuedNanos());
  }

  /** This source's recognizer failed: the client is told {@code asr_failed}. Any thread, once. */
  void recognizerFailed(Throwable failure) {
    log.warn("session={} source={} recognizer failed: {}", session.id(), name, failure.toString());
    session.channel().send(new ServerMessage.ErrorMessage(ErrorCode.ASR_FAILED, "the recognizer of this source failed: "
        + failure, name));
    metrics.protocolError(ErrorCode.ASR_FAILED);
  }

  /** The recognizer is done with this source's stream, which has ended. Any thread, once. */
  void streamEnded() {
    cost.release();
    session.streamEnded();
    done.complete(null);
  }

  public SessionState session() {
    return session;
  }

  public String name() {
    return name;
  }

  public SourceQueue queue() {
    return queue;
  }

  PcmStream stream() {
    return stream;
  }

  BackpressureEpisode backpressure() {
    return backpressure;
  }

  CompletableFuture<Void> done() {
    return done;
  }

  /**
   * A frame without {@code seq} (a binary one) takes the next, so acks and resumes count frames either way; the count
   * stops one past {@link MessageDecoder#MAX_SEQ}, so {@code next_seq} stays a number every JSON client holds exactly.
   */
  void implicitSeq() {
    expectedSeq = Math.min(Math.max(expectedSeq, 0) + 1, MessageDecoder.MAX_SEQ + 1);
  }

  /** The seq the next frame should carry: 0 before any. */
  long nextSeq() {
    return Math.max(expectedSeq, 0);
  }

  /** The last seq received, if it was not acknowledged yet (it is now); else -1. */
  long takeAck() {
    long last = expectedSeq - 1;
    if (last < 0 || last == ackedSeq) {
      return -1;
    }
    ackedSeq = last;
    return last;
  }

  /** The session was resumed: the client now re-sends from {@link #nextSeq()}. */
  void resumed() {
    resumed = true;
  }

  /**
   * After a resume, sorts the client's first frames by their {@code seq}: one below the next expected was received
   * before the connection was lost (a duplicate: counted as received and dropped, not queued twice); one past it
   * means the frames between were never re-sent (lost with the connection: counted as received and dropped as
   * {@code disconnected}, and the timeline skips their length, taken as this source's mean frame). A client's
   * {@code seq} is believed only as far as it could have sent frames: the frames counted for this source never pass
   * {@code framesAllowed} (what the session's message rate allows since it opened), so a jump to 2^53-1 neither
   * poisons the server's counters nor overflows the timeline; the rest of such a jump is an ordinary gap in the
   * client's numbering ({@link #seqGap}). Returns whether the frame is to be taken.
   */
  boolean takeAfterResume(long seq, int bytes, long framesAllowed) {
    if (!resumed || seq < 0) {
      return true;
    }
    long next = nextSeq();
    if (seq < next) {
      framesReceived++;
      bytesReceived += bytes;
      meters.received(bytes);
      recordDrops(DropReason.DUPLICATE, 1);
      return false;
    }
    resumed = false;
    long missing = Math.min(seq - next, framesAllowed - framesReceived - 1); // this frame is one of those allowed
    if (missing > 0 && framesReceived > 0) {
      long placed = framesReceived - dropped.get(DropReason.DUPLICATE).get(); // frames on the timeline
      samplesReceived = Saturating.add(samplesReceived, Saturating.multiply(missing, samplesReceived
          / Math.max(1, placed)));
      framesReceived += missing;
      meters.receivedUnsent(missing);
      recordDrops(DropReason.DISCONNECTED, missing);
      expectedSeq = next + missing;
    }
    return true;
  }

  /** Asks the recognizer for the final result of every sample received so far; false if too many are pending. */
  boolean flush() {
    return queue.requestFlush(samplesReceived);
  }

  /** Counts a valid chunk and places it on the timeline. */
  Chunk receive(byte[] pcm, long now) {
    framesReceived++;
    bytesReceived += pcm.length;
    meters.received(pcm.length);
    Chunk c = new Chunk(pcm, samplesReceived, now);
    samplesReceived += pcm.length / 2;
    return c;
  }

  /**
   * Checks the client's {@code seq} against the last one and counts what it skipped; returns the gap status to
   * send, or null if nothing is missing or one went out within the status interval. A {@code seq} is at most
   * {@link dev.hark.protocol.MessageDecoder#MAX_SEQ} (2^53-1), so neither the next expected one nor a gap can
   * overflow; a jump back starts the count afresh, and the running total stops at {@code Long.MAX_VALUE}.
   */
  ServerMessage.SeqGap seqGap(long seq, long now) {
    long missing = expectedSeq >= 0 && seq > expectedSeq ? seq - expectedSeq : 0;
    expectedSeq = seq + 1;
    if (missing == 0) {
      return null;
    }
    seqMissing = Saturating.add(seqMissing, missing);
    metrics.seqMissing(missing);
    return claimGapStatus(now) ? new ServerMessage.SeqGap(name, seq - missing, seq, seqMissing) : null;
  }


  /** True when a gap status may go out now (at most one per interval). */
  private boolean claimGapStatus(long now) {
    return gapStatus.tryClaim(now);
  }

  void recordDrops(DropReason reason, long n) {
    dropped.get(reason).addAndGet(n);
    meters.dropped(reason, n);
  }

  public long droppedTotal() {
    long sum = 0;
    for (AtomicLong n : dropped.values()) {
      sum += n.get();
    }
    return sum;
  }

  int priority() {
    return priority;
  }

  void priority(int p) {
    priority = p;
  }

  /** Whether the controller may shed this source: false for a block session's (it pauses its socket instead). */
  boolean sheddable() {
    return sheddable;
  }

  long openedNanos() {
    return openedNanos;
  }

  public boolean isShed() {
    return shed;
  }

  /** Claims this source for shedding; false if it is already shed or being shed. */
  boolean claimShed() {
    return !shed && shedPending.compareAndSet(false, true);
  }

  void markShed(long now, ShedReason reason) {
    shedAtNanos = now;
    shedReason = reason;
    shed = true;
    shedPending.set(false);
  }

  /** Why this source is (or was last) shed. */
  ShedReason shedReason() {
    return shedReason;
  }

  void markRestored() {
    shed = false;
  }

  long shedAtNanos() {
    return shedAtNanos;
  }

  boolean lowWatermarkWatched() {
    return drainWatched;
  }

  void lowWatermarkWatched(boolean watched) {
    drainWatched = watched;
  }

  SourceStats stats(int sampleRate) {
    Map<String, Long> byReason = new LinkedHashMap<>();
    for (DropReason r : DropReason.values()) {
      long n = dropped.get(r).get();
      if (n > 0) {
        byReason.put(r.wire(), n);
      }
    }
    return new SourceStats(name, framesReceived, consumed.get(), droppedTotal(), byReason, bytesReceived,
        samplesReceived * 1000 / sampleRate, seqMissing);
  }
}
