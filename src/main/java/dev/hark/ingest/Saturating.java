package dev.hark.ingest;

/**
 * Arithmetic on counts a client's numbers move, which stops at {@code Long.MAX_VALUE} instead of wrapping: a counter
 * that wrapped would turn negative and poison every sum and rate made of it, where one stuck at its top is plainly
 * out of range. For non-negative operands.
 */
final class Saturating {
  private Saturating() {}

  static long add(long a, long b) {
    return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
  }

  static long multiply(long a, long b) {
    return Math.multiplyHigh(a, b) != 0 || a * b < 0 ? Long.MAX_VALUE : a * b;
  }
}
