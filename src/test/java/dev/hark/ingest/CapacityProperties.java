package dev.hark.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hark.ingest.Simulation.Client;
import dev.hark.testing.Theories;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/**
 * The overload control's promise, as a property over arrival patterns and true costs on the manual clock
 * ({@link Simulation}): whatever arrives and whatever it truly costs, no source that is kept loses audio for
 * capacity, and every source that lost any was shed whole and told; reservations never stay past the shed line.
 */
class CapacityProperties {
  private static final double PRIOR = 0.10;

  /** How the sessions arrive. */
  enum Arrivals {
    /** All in the same millisecond, as when a node dies and its clients reconnect. */
    ALL_AT_ONCE,
    /** One every 400 ms. */
    RAMPED,
    /** Independently, 5 a second on average. */
    POISSON,
    /** All at once on a server already full of streams that cost what was expected. */
    BURST_ON_FULL
  }

  @Test
  void noKeptSourceLosesAudioForCapacityAndEveryLossIsAWholeShedThatWasTold() {
    Theories.qt(40)
        .forAll(Generate.enumValues(Arrivals.class),
            // Each session's true cost, in hundredths of a core: from well under the prior to four times it.
            Theories.listsOf(SourceDSL.integers().between(4, 40), 1, 48),
            SourceDSL.longs().all())
        .checkAssert((arrivals, costs, seed) -> {
          Simulation sim = new Simulation(2, PRIOR, true);
          Random random = new Random(seed);
          if (arrivals == Arrivals.BURST_ON_FULL) {
            while (sim.controller.admission().accepting()) {
              sim.arrive(PRIOR);
            }
            sim.run(Duration.ofSeconds(2));
          }
          long spacingMs = 0;
          for (int cents : costs) {
            sim.arrive(cents / 100.0);
            spacingMs = switch (arrivals) {
              case ALL_AT_ONCE, BURST_ON_FULL -> 0;
              case RAMPED -> 400;
              case POISSON -> Math.round(-Math.log(1 - random.nextDouble()) * 200);
            };
            for (long t = 0; t + Simulation.TICK_MS <= spacingMs; t += Simulation.TICK_MS) {
              sim.tick();
            }
          }
          sim.run(Duration.ofSeconds(6));
          for (Client c : sim.admitted()) {
            if (c.capacityDrops() > 0) {
              assertThat(c.source().isShed()).as("lost audio for capacity, but was not shed whole").isTrue();
              assertThat(c.toldShed()).as("shed but not told").isTrue();
            }
          }
          List<Client> kept = sim.kept();
          assertThat(kept).allSatisfy(c -> assertThat(c.capacityDrops()).as("a kept source lost audio").isZero());
          // Measured costs may settle between capacity and the shed line (hysteresis), never past it.
          assertThat(sim.controller.ledger().reserved()).isLessThanOrEqualTo(Math.round(2 * 0.95
              * DecodeLedger.CORE));
        });
  }
}
