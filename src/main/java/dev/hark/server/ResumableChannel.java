package dev.hark.server;

import dev.hark.ingest.SessionChannel;
import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.CloseCode;
import dev.hark.protocol.ServerMessage;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;

/**
 * The connection of a session that can outlive it (Hark's own protocol): the session's thread stays the event loop
 * it was born on, while the socket it talks to can be lost ({@link #detach}) and replaced by a resuming connection's
 * ({@link #attach}). It numbers the session's final transcripts and keeps the recent ones (those of the last
 * {@link #KEEP_SENT_NANOS} while connected, every one while not, at most {@link #MAX_KEPT}), so a resume sends again
 * those the client says it has not had: the ones made while no one was connected, and the ones in flight when the
 * connection broke. Other messages made while detached are dropped (counted).
 */
final class ResumableChannel implements SessionChannel {
  static final int MAX_KEPT = 256;
  /** A final sent this long ago has reached the client, or the connection had been found broken since. */
  static final long KEEP_SENT_NANOS = 10_000_000_000L;

  /** A final transcript and when it was made. */
  private record Kept(ServerMessage.Transcript transcript, long atNanos) {}

  private final EventLoop home;
  private final HarkMetrics metrics;
  private final Runnable closedWhileDetached;
  // Guarded by this: messages come from decoding threads and the session's thread.
  private NettySessionChannel wire;
  private final ArrayDeque<Kept> finals = new ArrayDeque<>();
  /** The number of the oldest kept final; finals are numbered from 0 in the order they were made. */
  private long firstKept;
  /** Finals made while detached, since the last attach. */
  private long madeWhileDetached;
  /** The session's own wish (the block policy pauses reading); applied to each new socket. */
  private boolean reading = true;

  /** {@code closedWhileDetached} ends the session when it closes itself with no socket to close. */
  ResumableChannel(NettySessionChannel wire, EventLoop home, HarkMetrics metrics, Runnable closedWhileDetached) {
    this.wire = wire;
    this.home = home;
    this.metrics = metrics;
    this.closedWhileDetached = closedWhileDetached;
  }

  EventLoop home() {
    return home;
  }

  @Override
  public synchronized void send(ServerMessage m) {
    if (m instanceof ServerMessage.Transcript t && t.isFinal()) {
      long now = System.nanoTime();
      finals.addLast(new Kept(t, now));
      while (finals.size() > MAX_KEPT || (wire != null && now - finals.peekFirst().atNanos() > KEEP_SENT_NANOS)) {
        finals.pollFirst();
        firstKept++;
      }
      if (wire == null) {
        madeWhileDetached++;
      }
    }
    if (wire != null) {
      wire.send(m);
    } else if (!(m instanceof ServerMessage.Transcript t && t.isFinal())) {
      metrics.messageDropped("detached");
    }
  }

  /** Whether {@code w} is the socket this session talks to now. */
  synchronized boolean isCurrent(NettySessionChannel w) {
    return wire == w;
  }

  synchronized boolean detached() {
    return wire == null;
  }

  /** The socket was lost: messages wait for a resume (finals) or are dropped. */
  synchronized void detach() {
    wire = null;
    madeWhileDetached = 0;
  }

  /**
   * Hands the session to a resuming connection's socket, closing the one it had if that was still open: runs
   * {@code resumed} (which sends {@code ready}), then sends again the finals from number {@code clientFinals} on
   * (or, when the client does not say, those made while detached). Finals no longer kept are counted as dropped.
   * On the session's thread.
   */
  synchronized void attach(NettySessionChannel to, long clientFinals, Runnable resumed) {
    NettySessionChannel old = wire;
    wire = to;
    if (old != null && old != to) {
      old.close(CloseCode.GOING_AWAY, "the session was resumed on another connection");
    }
    to.setReading(reading);
    resumed.run();
    long made = firstKept + finals.size();
    long from = clientFinals >= 0 ? Math.min(clientFinals, made) : made - Math.min(madeWhileDetached, finals.size());
    if (from < firstKept) {
      metrics.messageDropped("final_transcript");
      from = firstKept;
    }
    long n = firstKept;
    for (Kept k : finals) {
      if (n++ >= from) {
        to.send(k.transcript());
      }
    }
    madeWhileDetached = 0;
  }

  @Override
  public void execute(Runnable task) {
    home.execute(task);
  }

  @Override
  public void schedule(Runnable task, long delayNanos) {
    NettySessionChannel.schedule(home, task, delayNanos);
  }

  @Override
  public synchronized void setReading(boolean reading) {
    this.reading = reading;
    if (wire != null) {
      wire.setReading(reading);
    }
  }

  @Override
  public void close(int code, String reason) {
    NettySessionChannel w;
    synchronized (this) {
      w = wire;
    }
    if (w != null) {
      w.close(code, reason);
    } else {
      closedWhileDetached.run();
    }
  }

  @Override
  public boolean inSessionThread() {
    return home.inEventLoop();
  }

  @Override
  public synchronized String remoteAddress() {
    return wire == null ? "(awaiting resume)" : wire.remoteAddress();
  }
}
