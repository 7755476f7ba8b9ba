package dev.hark.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.ClientMessage;
import dev.hark.protocol.OverflowPolicy;
import dev.hark.protocol.ServerMessage;
import dev.hark.protocol.StatusState;
import dev.hark.testing.FakeSessionChannel;
import dev.hark.testing.ManualClock;
import dev.hark.testing.Theories;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Invariants of budget shedding and of the status throttle under any sequence of chunks, reads and pauses, on a
 * manual clock with fake connections: a shed source comes back only after its hold and with the budget below half;
 * backpressure statuses of one episode are at least an interval apart; every chunk is accepted or dropped.
 */
class SheddingProperties {
  private static final int CHUNK = 640;
  private static final Duration HOLD = Duration.ofMillis(300);

  /** One step: session {@code session} sends a chunk, its reader takes {@code reads} chunks, time moves on. */
  record Step(int session, int reads, int millis) {}

  // Reads are rarer than chunks, so queues fill, the budget is spent and sources are shed and come back.
  private static final Gen<Integer> READS = Generate.frequency(Pair.of(6, Generate.constant(0)),
      Pair.of(2, Generate.constant(1)), Pair.of(1, Generate.constant(12)));
  private static final Gen<List<Step>> STEPS =
      Theories.listsOf(Generate.range(0, 2).zip(READS, Generate.range(0, 60), Step::new), 50, 600);

  @Test
  void shedSourcesComeBackOnlyAfterTheHoldAndBelowHalfTheBudget() {
    Theories.qt(200).forAll(STEPS).checkAssert(SheddingProperties::replay);
  }

  private static void replay(List<Step> steps) {
    ManualClock clock = new ManualClock();
    IngestSettings settings = IngestSettings.defaults().withQueue(12, 0).withBudget(16 * CHUNK).withShedHold(HOLD);
    ConcurrencyController controller = new ConcurrencyController(settings, new HarkMetrics(), clock);
    List<SessionState> sessions = new ArrayList<>();
    List<FakeSessionChannel> channels = new ArrayList<>();
    Map<SessionState, List<PcmStream>> streams = new HashMap<>();
    for (int i = 0; i < 3; i++) {
      FakeSessionChannel ch = new FakeSessionChannel(clock, () -> controller.budget().used());
      List<PcmStream> mine = new ArrayList<>();
      SessionState s = new SessionState("s" + i, ch, controller, (audio, replies) -> mine.add(audio), null, 1_000_000);
      s.handle(new ClientMessage.Start(16000, List.of("mic"), OverflowPolicy.DROP_OLDEST, Map.of()));
      sessions.add(s);
      channels.add(ch);
      streams.put(s, mine);
    }
    int[] sent = new int[3];
    for (Step step : steps) {
      SessionState s = sessions.get(step.session());
      s.handle(new ClientMessage.Audio("mic", new byte[CHUNK], sent[step.session()]++));
      for (int r = 0; r < step.reads(); r++) {
        streams.get(s).getFirst().poll();
      }
      clock.advanceMillis(step.millis());
      channels.get(step.session()).runDue();
    }
    long interval = settings.statusInterval().toNanos();
    for (int i = 0; i < 3; i++) {
      long shedAt = Long.MIN_VALUE;
      long lastBackpressure = Long.MIN_VALUE;
      for (FakeSessionChannel.Sent m : channels.get(i).sent()) {
        if (!(m.message() instanceof ServerMessage.Status st)) {
          continue;
        }
        switch (st.state()) {
          case SOURCE_DROPPED -> shedAt = m.atNanos();
          case SOURCE_RESTORED -> {
            assertThat(m.atNanos() - shedAt).as("restored within the hold").isGreaterThanOrEqualTo(HOLD.toNanos());
            // The chunk that brings the source back is queued after the status: the budget was at most half.
            assertThat(m.probe()).as("restored above half the budget").isLessThanOrEqualTo(8L * CHUNK);
          }
          case BACKPRESSURE -> {
            if (lastBackpressure != Long.MIN_VALUE) {
              assertThat(m.atNanos() - lastBackpressure).as("backpressure statuses too close")
                  .isGreaterThanOrEqualTo(interval);
            }
            lastBackpressure = m.atNanos();
          }
          case OK -> lastBackpressure = Long.MIN_VALUE; // the episode ended; the next starts at once
          default -> { }
        }
      }
      // Every chunk sent was received, and is queued, read or dropped: the session's own totals agree.
      var stats = sessions.get(i).stats().getFirst();
      assertThat(stats.framesReceived()).isEqualTo(sent[i]);
      assertThat(stats.framesAccepted() + stats.framesDropped() + sessions.get(i).sources().iterator().next()
          .queue().depth()).isEqualTo(sent[i]);
    }
    assertThat(controller.budget().used()).isBetween(0L, 16L * CHUNK);
    channels.forEach(c -> assertThat(c.statuses(StatusState.SOURCE_DROPPED).size()).isGreaterThanOrEqualTo(
        c.statuses(StatusState.SOURCE_RESTORED).size()));
  }
}
