package dev.hark.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.ClientMessage;
import dev.hark.protocol.OverflowPolicy;
import dev.hark.protocol.ServerMessage;
import dev.hark.protocol.StatusState;
import dev.hark.testing.FakeSessionChannel;
import dev.hark.testing.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The backpressure status on a manual clock: one at once when drops start, then at most one per status interval
 * while they go on, and {@code ok} once the queue has drained and drops have stopped; no socket, no sleep.
 */
class BackpressureStatusTest {
  private static final int QUEUE = 8;

  @Test
  void oneStatusAtOnceThenAtMostOnePerIntervalAndOkWhenDrained() {
    ManualClock clock = new ManualClock();
    ConcurrencyController controller = new ConcurrencyController(IngestSettings.defaults().withQueue(QUEUE, 0),
        new HarkMetrics(), clock);
    FakeSessionChannel channel = new FakeSessionChannel(clock);
    List<PcmStream> streams = new ArrayList<>();
    SessionState session = new SessionState("s", channel, controller, (audio, replies) -> streams.add(audio), null,
        1_000_000);
    session.handle(new ClientMessage.Start(16000, List.of("mic"), OverflowPolicy.DROP_OLDEST, Map.of()));

    // 2.5 s of a chunk every 5 ms into a queue nobody reads.
    int sent = 0;
    for (; sent < 500; sent++) {
      session.handle(new ClientMessage.Audio("mic", new byte[640], sent));
      clock.advanceMillis(5);
    }
    List<FakeSessionChannel.Sent> statuses = channel.sent().stream()
        .filter(s -> s.message() instanceof ServerMessage.Status st && st.state() == StatusState.BACKPRESSURE)
        .toList();
    long interval = IngestSettings.defaults().statusInterval().toNanos();
    assertThat(statuses).hasSize(3); // at 0 s (the first drop), 1 s and 2 s
    for (int i = 1; i < statuses.size(); i++) {
      assertThat(statuses.get(i).atNanos() - statuses.get(i - 1).atNanos()).isGreaterThanOrEqualTo(interval);
    }
    long lastDropped = ((ServerMessage.Status) statuses.getLast().message()).droppedFrames();
    assertThat(lastDropped).isGreaterThan(((ServerMessage.Status) statuses.getFirst().message()).droppedFrames());
    assertThat(channel.statuses(StatusState.OK)).isEmpty();

    PcmStream mic = streams.getFirst();
    int read = 0;
    while (mic.poll() != null) {
      read++;
    }
    assertThat(read).isEqualTo(QUEUE);
    // Drained, but the last drop was just now: ok waits until drops have been quiet for a while.
    assertThat(channel.statuses(StatusState.OK)).isEmpty();
    clock.advance(IngestSettings.defaults().statusInterval());
    channel.runDue();
    List<ServerMessage.Status> ok = channel.statuses(StatusState.OK);
    assertThat(ok).hasSize(1);
    assertThat(ok.getFirst().source()).isEqualTo("mic");
    assertThat(ok.getFirst().droppedFrames()).isEqualTo(sent - QUEUE);
  }
}
