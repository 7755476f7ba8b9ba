package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The message allowance and the flood detector, on a clock the test moves. */
class MessageRateTest {
  private static final long MS = 1_000_000L;

  @Test
  void aBurstOfOneSecondIsTakenThenTheExcessIsLimitedThenAFloodIsCalled() {
    MessageRate rate = new MessageRate(500, 0);
    for (int i = 0; i < 500; i++) {
      assertThat(rate.take(0)).isEqualTo(MessageRate.Verdict.TAKEN);
    }
    for (int i = 0; i < MessageRate.floodThreshold(500); i++) {
      assertThat(rate.take(0)).isEqualTo(MessageRate.Verdict.LIMITED);
    }
    assertThat(rate.take(0)).isEqualTo(MessageRate.Verdict.FLOOD);
  }

  @Test
  void theAllowanceRefillsWithTimeAndTheFloodWindowStartsAgainEachSecond() {
    MessageRate rate = new MessageRate(100, 0);
    for (int i = 0; i < 100; i++) {
      rate.take(0);
    }
    for (int i = 0; i < 900; i++) {
      assertThat(rate.take(0)).isEqualTo(MessageRate.Verdict.LIMITED);
    }
    assertThat(rate.take(10 * MS)).isEqualTo(MessageRate.Verdict.TAKEN); // 10 ms refill one message at 100/s
    for (int i = 0; i < 900; i++) {
      assertThat(rate.take(1_000 * MS)).isNotEqualTo(MessageRate.Verdict.FLOOD); // a new second, a new count
    }
  }

  @Test
  void aLowRateStillAllowsAThousandMessagesOverItBeforeAFlood() {
    assertThat(MessageRate.floodThreshold(20)).isEqualTo(MessageRate.MIN_FLOOD);
    assertThat(MessageRate.floodThreshold(5_000)).isEqualTo(10_000);
  }

  @Test
  void reportsComeAtMostOnceASecondAndCountWhatWasLimited() {
    MessageRate rate = new MessageRate(1, 0);
    rate.take(0);
    rate.take(0);
    rate.take(0);
    assertThat(rate.takeReport(0)).isEqualTo(2);
    rate.take(500 * MS); // half a message refilled: still limited
    rate.take(500 * MS);
    assertThat(rate.takeReport(500 * MS)).isZero(); // within a second of the last report
    assertThat(rate.takeReport(1_000 * MS)).isEqualTo(2);
  }
}
