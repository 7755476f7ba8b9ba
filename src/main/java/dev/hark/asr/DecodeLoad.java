package dev.hark.asr;

/**
 * The recognizer's load over the last interval, as the decode scheduler measures it (load measured apart from
 * load reduced: what to do about it is the ConcurrencyController's).
 *
 * @param threads decoding threads
 * @param utilisation the fraction of the interval the threads spent in turns, 0 to 1
 * @param maxLagMs the largest decode lag of any stream now: audio queued or in a turn, not yet decoded
 * @param streams streams being recognized
 */
public record DecodeLoad(int threads, double utilisation, long maxLagMs, int streams) {
  /** Decoding capacity free, in percent. */
  public int headroomPercent() {
    return (int) Math.round(Math.max(0, 1 - utilisation) * 100);
  }
}
