package dev.hark.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hark.ingest.Simulation.Client;
import dev.hark.protocol.OverflowPolicy;
import dev.hark.protocol.StatusState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Admission by reserved cost and shedding by deficit, deterministic cases on the manual clock ({@link Simulation}):
 * two decoding threads at 85% can be promised 1.7 cores; the engine expects 0.10 a stream.
 */
class CapacityControlTest {
  private static final double PRIOR = 0.10;

  private static List<Client> burst(Simulation sim, int n, double cost) {
    List<Client> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(sim.arrive(cost));
    }
    return out;
  }

  private static void assertNoKeptSourceLostAudio(Simulation sim) {
    for (Client c : sim.admitted()) {
      if (c.capacityDrops() > 0) {
        assertThat(c.source().isShed()).as("a source that lost audio for capacity was shed whole").isTrue();
        assertThat(c.toldShed()).as("and told").isTrue();
      }
    }
    assertThat(sim.kept()).allSatisfy(c -> assertThat(c.capacityDrops()).as("a kept source loses nothing").isZero());
  }

  @Test
  void aBurstOf24OnAnEmptyServerTakesWhatFitsAndRefusesTheRest() {
    Simulation sim = new Simulation(2, PRIOR, true);
    List<Client> all = burst(sim, 24, 0.08);
    assertThat(all.stream().filter(Client::admitted)).as("1.7 cores / 0.10").hasSize(17);
    assertThat(sim.controller.admission().accepting()).isFalse();
    assertThat(sim.controller.admission().refusal()).isEqualTo("at_capacity");
    sim.run(Duration.ofSeconds(6));
    assertNoKeptSourceLostAudio(sim);
    assertThat(sim.kept()).hasSize(17);
  }

  @Test
  void aBurstOf48OnAFullServerTakesOnlyWhatTheMeasuredCostsLeaveRoomFor() {
    Simulation sim = new Simulation(2, PRIOR, true);
    burst(sim, 17, 0.08);
    sim.run(Duration.ofSeconds(3)); // measured at 0.08: 0.34 cores left, and the prior learned something lower
    long headroom = sim.controller.ledger().headroom();
    List<Client> late = burst(sim, 48, 0.08);
    long taken = late.stream().filter(Client::admitted).count();
    assertThat(taken).isPositive().isLessThan(10);
    assertThat(taken * sim.controller.ledger().prior()).isLessThanOrEqualTo(headroom);
    sim.run(Duration.ofSeconds(6));
    assertNoKeptSourceLostAudio(sim);
  }

  @Test
  void costsThatTurnOutTwiceThePriorAreShedAtOnceWholeAndTheRestLoseNothing() {
    Simulation sim = new Simulation(2, PRIOR, true);
    burst(sim, 17, 0.20);
    sim.run(Duration.ofSeconds(6));
    assertNoKeptSourceLostAudio(sim);
    assertThat(sim.kept()).as("1.7 cores / 0.20").hasSize(8);
    // The deficit is closed as the costs are measured, not one source per half second.
    List<Long> shedAt = sim.admitted().stream().filter(Client::toldShed).map(Simulation.Client::shedAtNanos).toList();
    assertThat(shedAt).hasSize(9);
    assertThat(shedAt.stream().mapToLong(Long::longValue).max().orElseThrow()
        - shedAt.stream().mapToLong(Long::longValue).min().orElseThrow()).isLessThan(Duration.ofMillis(600).toNanos());
  }

  @Test
  void theLowestPriorityThenTheNewestGoFirstAndABlockSessionNever() {
    Simulation sim = new Simulation(2, PRIOR, true);
    List<Client> c = new ArrayList<>();
    int[] priorities = {0, 2, 1, 1, 1, 3};
    for (int i = 0; i < priorities.length; i++) {
      c.add(sim.arrive(0.33, priorities[i], i == 0 ? OverflowPolicy.BLOCK : OverflowPolicy.DROP_OLDEST));
      sim.clock.advanceMillis(1); // one after another: the later is the newer
    }
    sim.run(Duration.ofSeconds(5));
    // 6 × 0.33 = 1.98, past the shed line of 1.9: one must go. The block session's has the lowest priority but is
    // never shed; of the three at priority 1, the newest.
    assertThat(c.get(4).toldShed()).isTrue();
    assertThat(List.of(c.get(0), c.get(1), c.get(2), c.get(3), c.get(5))).noneMatch(Client::toldShed);
    assertNoKeptSourceLostAudio(sim);
  }

  @Test
  void aShedSourceComesBackOnlyWhenItsCostFitsAndOnePerHold() {
    Simulation sim = new Simulation(2, PRIOR, true);
    List<Client> first = burst(sim, 17, 0.20);
    sim.run(Duration.ofSeconds(4));
    List<Client> shed = first.stream().filter(c -> c.source().isShed()).toList();
    assertThat(shed).hasSize(9);
    sim.run(Duration.ofSeconds(4));
    assertThat(shed).as("no room: none comes back").noneMatch(c -> !c.statuses(StatusState.SOURCE_RESTORED)
        .isEmpty());
    // Four kept sessions end: 0.8 cores free, room for four of the shed (0.20 each), one per hold.
    first.stream().filter(c -> !c.source().isShed()).limit(4).forEach(c -> c.session.close());
    sim.run(Duration.ofMillis(1000));
    assertThat(shed.stream().filter(c -> !c.statuses(StatusState.SOURCE_RESTORED).isEmpty())).hasSize(1);
    sim.run(Duration.ofSeconds(10));
    assertThat(shed.stream().filter(c -> !c.statuses(StatusState.SOURCE_RESTORED).isEmpty())).hasSize(4);
    assertThat(sim.controller.ledger().reserved()).isLessThanOrEqualTo(sim.controller.ledger().capacity());
    assertNoKeptSourceLostAudio(sim);
  }

  @Test
  void withoutControlEverySessionIsTakenAndEveryStreamLoses() {
    Simulation sim = new Simulation(2, PRIOR, false);
    List<Client> all = burst(sim, 24, 0.15);
    assertThat(all).allMatch(Client::admitted);
    sim.run(Duration.ofSeconds(6));
    assertThat(all).noneMatch(Client::toldShed);
    assertThat(all).allSatisfy(c -> assertThat(c.capacityDrops()).isPositive());
  }
}
