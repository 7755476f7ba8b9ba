package dev.hark.ingest;

/**
 * The recognizer's load over the last interval, as the decode scheduler measures it (load measured apart from
 * load decided and reduced: what to do about it is the {@link ConcurrencyController}'s).
 *
 * @param threads decoding threads
 * @param utilisation the fraction of the interval the threads spent in turns, 0 to 1
 * @param maxLagMs the largest decode lag of any stream now: audio queued or in a turn, not yet decoded
 * @param streams streams being recognized
 * @param spares warm recognizers waiting for a stream (a new stream on one costs the warm prior)
 */
public record RecognizerLoad(int threads, double utilisation, long maxLagMs, int streams, int spares) {
  /** Decoding time free, in percent. */
  public int headroomPercent() {
    return (int) Math.round(Math.max(0, 1 - utilisation) * 100);
  }
}
