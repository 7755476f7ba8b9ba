package dev.hark.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.ClientMessage;
import dev.hark.protocol.OverflowPolicy;
import dev.hark.protocol.ServerMessage;
import dev.hark.protocol.ShedReason;
import dev.hark.protocol.StatusState;
import dev.hark.testing.FakeSessionChannel;
import dev.hark.testing.ManualClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The ConcurrencyController's shedding and restoring of whole sources for the buffer budget, on a manual clock with
 * sessions whose connections are fakes: no socket, no sleep (capacity: {@link CapacityControlTest}).
 */
class SheddingPolicyTest {
  private final ManualClock clock = new ManualClock();
  private final Map<SessionState, FakeSessionChannel> channels = new HashMap<>();
  private ConcurrencyController controller = new ConcurrencyController(IngestSettings.defaults(), new HarkMetrics(),
      clock);

  private SessionState session(String id, OverflowPolicy policy, Map<String, Integer> priority) {
    FakeSessionChannel ch = new FakeSessionChannel(clock);
    // Nothing reads the streams: what is queued stays queued.
    SessionState s = new SessionState(id, ch, controller, (audio, replies) -> { }, null, 1_000_000);
    s.handle(new ClientMessage.Start(16000, List.copyOf(priority.keySet()), policy, priority));
    channels.put(s, ch);
    clock.advanceMillis(1); // sessions opened one after another: the later is the newer
    return s;
  }

  private List<String> shed(SessionState s) {
    return channels.get(s).statuses(StatusState.SOURCE_DROPPED).stream().map(ServerMessage.Status::source).toList();
  }

  private List<String> restored(SessionState s) {
    return channels.get(s).statuses(StatusState.SOURCE_RESTORED).stream().map(ServerMessage.Status::source).toList();
  }

  @Test
  void theBudgetShedsTheLargestSourceAndRestoresItOnlyAfterTheHoldAndBelowHalf() {
    Duration hold = Duration.ofSeconds(1);
    controller = new ConcurrencyController(IngestSettings.defaults().withBudget(10 * 640).withShedHold(hold),
        new HarkMetrics(),
        clock);
    SessionState a = session("a", OverflowPolicy.DROP_OLDEST, Map.of("mic", 0));
    SessionState b = session("b", OverflowPolicy.DROP_OLDEST, Map.of("mic", 0));
    for (int i = 0; i < 7; i++) {
      a.handle(new ClientMessage.Audio("mic", new byte[640], i));
    }
    for (int i = 0; i < 4; i++) {
      b.handle(new ClientMessage.Audio("mic", new byte[640], i)); // the 11th chunk spends the budget
    }
    assertThat(shed(a)).containsExactly("mic");
    assertThat(channels.get(a).statuses(StatusState.SOURCE_DROPPED).getFirst().reason())
        .isEqualTo(ShedReason.BUFFER_BUDGET);
    // b made room for its fourth chunk by dropping its own oldest; a's queue was emptied by the shed.
    assertThat(controller.budget().used()).isEqualTo(3 * 640);

    a.handle(new ClientMessage.Audio("mic", new byte[640], 7));
    assertThat(restored(a)).as("budget below half, but within the hold").isEmpty();
    clock.advance(hold);
    a.handle(new ClientMessage.Audio("mic", new byte[640], 8));
    assertThat(restored(a)).containsExactly("mic");
    assertThat(controller.budget().used()).isEqualTo(4 * 640); // the chunk that brought it back is queued
  }
}
