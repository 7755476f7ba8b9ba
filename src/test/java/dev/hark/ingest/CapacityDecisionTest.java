package dev.hark.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The decision alone: one reading in, one verdict out (two threads: capacity 1.7 cores, shed line 1.9). */
class CapacityDecisionTest {
  private static final long CORE = DecodeLedger.CORE;
  private static final LoadSettings ON = LoadSettings.of(true, 2, 500, 200, Duration.ofSeconds(2));
  private static final long LONG_AGO = Duration.ofMinutes(1).toNanos();

  private static CapacityDecision.Reading reading(double reservedCores, double utilisation, long lagMs,
      double growth, long drops, long restoreCost) {
    return new CapacityDecision.Reading(ON.capacity(), Math.round(reservedCores * CORE), utilisation, lagMs, growth,
        drops, LONG_AGO, LONG_AGO, 0, restoreCost);
  }

  @Test
  void measuredCostsPastTheShedLineAreShedDownToCapacityAtOnce() {
    assertThat(CapacityDecision.decide(ON, reading(3.4, 0.5, 0, 0, 0, -1)))
        .isEqualTo(new CapacityDecision.Shed(Math.round(1.7 * CORE), false));
    assertThat(CapacityDecision.decide(ON, reading(1.85, 0.8, 0, 0, 0, -1)))
        .as("between capacity and the shed line: measurements may wander").isEqualTo(new CapacityDecision.Steady());
  }

  @Test
  void aGrowingLagWithTheThreadsBusyShedsWhatItsGrowthShows() {
    // g = 0.2: the demand is 1.25 times what two threads supply, half a core too many.
    assertThat(CapacityDecision.decide(ON, reading(1.7, 0.99, 600, 0.2, 0, -1)))
        .isEqualTo(new CapacityDecision.Shed(CORE / 2, true));
    assertThat(CapacityDecision.decide(ON, reading(1.7, 0.99, 600, 2.8, 0, -1)))
        .as("a client catching up grows the lag faster than time: half a core a thread at most")
        .isEqualTo(new CapacityDecision.Shed(CORE, true));
    assertThat(CapacityDecision.decide(ON, reading(1.7, 0.99, 600, 0, 0, -1)))
        .as("a lag past its bound but not growing: at least one source").isEqualTo(new CapacityDecision.Shed(1, true));
    assertThat(CapacityDecision.decide(ON, reading(1.7, 0.99, 100, 0, 3, -1)))
        .as("drops for a full queue are the same signal").isEqualTo(new CapacityDecision.Shed(1, true));
    assertThat(CapacityDecision.decide(ON, reading(1.7, 0.6, 600, 0.5, 0, -1)))
        .as("threads not busy: a slow client, not the recognizer").isEqualTo(new CapacityDecision.Steady());
  }

  @Test
  void afterAShedOnlyALagStillGrowingShedsAgainAndNotWithinHalfASecond() {
    CapacityDecision.Reading drainingBacklog = new CapacityDecision.Reading(ON.capacity(), CORE, 0.99, 700, 0, 0,
        LONG_AGO, LONG_AGO, 800, -1);
    assertThat(CapacityDecision.decide(ON, drainingBacklog)).isEqualTo(new CapacityDecision.Steady());
    CapacityDecision.Reading tooSoon = new CapacityDecision.Reading(ON.capacity(), CORE, 0.99, 1200, 0.5, 0,
        Duration.ofMillis(250).toNanos(), LONG_AGO, 800, -1);
    assertThat(CapacityDecision.decide(ON, tooSoon)).isEqualTo(new CapacityDecision.Steady());
  }

  @Test
  void aShedSourceComesBackOnlyRelaxedAfterTheHoldAndWhenItsCostFits() {
    assertThat(CapacityDecision.decide(ON, reading(1.0, 0.5, 50, 0, 0, Math.round(0.2 * CORE))))
        .isEqualTo(new CapacityDecision.Restore());
    assertThat(CapacityDecision.decide(ON, reading(1.6, 0.5, 50, 0, 0, Math.round(0.2 * CORE))))
        .as("its cost does not fit").isEqualTo(new CapacityDecision.Steady());
    assertThat(CapacityDecision.decide(ON, reading(1.0, 0.8, 50, 0, 0, Math.round(0.2 * CORE))))
        .as("between the watermarks").isEqualTo(new CapacityDecision.Steady());
    CapacityDecision.Reading withinHold = new CapacityDecision.Reading(ON.capacity(), CORE, 0.5, 50, 0, 0, LONG_AGO,
        Duration.ofSeconds(1).toNanos(), 0, Math.round(0.2 * CORE));
    assertThat(CapacityDecision.decide(ON, withinHold)).isEqualTo(new CapacityDecision.Steady());
  }

  @Test
  void withoutControlNothingIsEverDecided() {
    LoadSettings off = LoadSettings.of(false, 2, 500, 200, Duration.ofSeconds(2));
    assertThat(CapacityDecision.decide(off, reading(9, 1, 5000, 0.9, 100, 0))).isEqualTo(new CapacityDecision.Steady());
  }
}
