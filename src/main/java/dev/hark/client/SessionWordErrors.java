package dev.hark.client;

/**
 * Word errors over a run's sessions: pooled over all of them, over those that lost no audio, and the worst single
 * session, so that a recognizer's accuracy under load is told apart from what shedding and drops cost.
 */
final class SessionWordErrors {
  private WordErrors all = WordErrors.NONE;
  private WordErrors whole = WordErrors.NONE;
  private double worst;
  private int sessions;

  /** One stopped session's errors; {@code lostNothing} when the server dropped none of its frames. */
  void add(WordErrors session, boolean lostNothing) {
    all = all.plus(session);
    if (lostNothing) {
      whole = whole.plus(session);
    }
    worst = Math.max(worst, session.rate());
    sessions++;
  }

  int sessions() {
    return sessions;
  }

  WordErrors all() {
    return all;
  }

  WordErrors whole() {
    return whole;
  }

  double worst() {
    return worst;
  }
}
