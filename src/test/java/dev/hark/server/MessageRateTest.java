package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hark.metrics.HarkMetrics;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** The message allowance and the flood detector, on a clock the test moves; and how it stops reading. */
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

  @Test
  void aBlockSessionTakesOnCreditAndIsToldHowLongToWait() {
    MessageRate rate = new MessageRate(100, 0);
    for (int i = 0; i < 99; i++) {
      assertThat(rate.takeOwing(0)).isZero();
    }
    assertThat(rate.takeOwing(0)).isBetween(10 * MS, 10 * MS + 1); // the last of the allowance: one more in 10 ms
    assertThat(rate.takeOwing(0)).isBetween(20 * MS, 20 * MS + 1); // taken on credit
    assertThat(rate.untilOne(15 * MS)).isBetween(5 * MS, 5 * MS + 1);
    assertThat(rate.untilOne(21 * MS)).isZero();
  }

  /** Reading goes on only while both the queues and the rate let it; each says so apart from the other. */
  @Test
  void theQueuesAndTheRateEachStopReadingAndBothMustLetItGoOn() {
    EmbeddedChannel ch = new EmbeddedChannel();
    NettySessionChannel wire = new NettySessionChannel(ch, new HarkMetrics());
    wire.setReading(false);
    wire.rateLetsRead(false);
    wire.setReading(true);
    assertThat(ch.config().isAutoRead()).as("the rate still objects").isFalse();
    wire.setReading(false);
    wire.rateLetsRead(true);
    assertThat(ch.config().isAutoRead()).as("the queues still object").isFalse();
    wire.setReading(true);
    assertThat(ch.config().isAutoRead()).isTrue();
    ch.finishAndReleaseAll();
  }
}
