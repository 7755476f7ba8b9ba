package dev.hark.ingest;

import dev.hark.protocol.ServerMessage;

/**
 * Tells a session's client which audio has arrived: at most every {@link #INTERVAL_NANOS} per session, an
 * {@code ack} for each source with the last {@code seq} received since the last one. A session sending nothing costs
 * no timer: one is armed by the first frame after an ack; nor does one whose protocol has no acks. The session
 * thread's.
 */
final class AudioAcks {
  static final long INTERVAL_NANOS = 250_000_000L;

  private final SessionState session;
  private boolean armed;

  AudioAcks(SessionState session) {
    this.session = session;
  }

  /** A frame arrived. */
  void received() {
    if (!armed && session.channel().acknowledgesAudio()) {
      armed = true;
      session.channel().schedule(this::send, INTERVAL_NANOS);
    }
  }

  private void send() {
    armed = false;
    if (session.isClosed()) {
      return;
    }
    session.writeRecordings(); // what is acknowledged is in the --record files, should this process be killed
    for (SourceState src : session.sources()) {
      long seq = src.takeAck();
      if (seq >= 0) {
        session.channel().send(new ServerMessage.Ack(src.name(), seq));
      }
    }
  }
}
