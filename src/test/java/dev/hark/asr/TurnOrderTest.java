package dev.hark.asr;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hark.ingest.ConcurrencyController;
import dev.hark.ingest.IngestSettings;
import dev.hark.ingest.SessionState;
import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.ClientMessage;
import dev.hark.protocol.OverflowPolicy;
import dev.hark.testing.FakeSessionChannel;
import dev.hark.testing.ManualClock;
import dev.hark.testing.Theories;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.Generate;

/**
 * The decode scheduler's fairness, driven by hand (no decoding threads, a manual clock, fake connections): however
 * much each stream has queued, a stream with audio waits at most one round of the others' turns, and a turn takes at
 * most a turn's worth of audio.
 */
class TurnOrderTest {
  private static final int TURN_MS = 200;

  @Test
  void everyStreamWithAudioIsServedOncePerRound() {
    // 1 to 6 streams, each with 1 to 60 chunks (20 ms to 1.2 s) queued before the first turn.
    Theories.qt(100).forAll(Theories.listsOf(Generate.range(1, 60), 1, 6)).checkAssert(TurnOrderTest::replay);
  }

  private static void replay(List<Integer> chunksQueued) {
    ManualClock clock = new ManualClock();
    List<String> turns = new ArrayList<>();
    List<Integer> turnBytes = new ArrayList<>();
    AsrEngine recorder = new AsrEngine() {
      private int opened;

      @Override
      public String name() {
        return "recorder";
      }

      @Override
      public StreamRecognizer open(int sampleRate) {
        String id = "s" + opened++;
        return new StreamRecognizer() {
          @Override
          public void accept(byte[] pcm, int length, TranscriptListener results) {
            turns.add(id);
            turnBytes.add(length);
          }

          @Override
          public void finish(TranscriptListener results) {}

          @Override
          public void close() {}
        };
      }
    };
    AsrSettings settings = AsrSettings.defaults().withWorkers(0).withTurnMs(TURN_MS);
    HarkMetrics metrics = new HarkMetrics();
    try (DecodeScheduler scheduler = new DecodeScheduler(recorder, settings, metrics, clock)) {
      ConcurrencyController controller = new ConcurrencyController(IngestSettings.defaults().withQueue(64, 0),
          metrics, clock);
      for (int n : chunksQueued) {
        SessionState s = new SessionState("s", new FakeSessionChannel(clock), controller,
            (audio, replies) -> scheduler.start(audio, (text, isFinal, start, end, words) -> { }), null, 1_000_000);
        s.handle(new ClientMessage.Start(16000, List.of("mic"), OverflowPolicy.BLOCK, Map.of()));
        for (int i = 0; i < n; i++) {
          s.handle(new ClientMessage.Audio("mic", new byte[640], i)); // 20 ms each
        }
      }
      while (scheduler.runNextTurn()) {
        clock.advanceMillis(1);
      }
    }
    int streams = chunksQueued.size();
    // Streams are opened on their first turn, in the order their audio arrived: s0, s1, ...
    long totalTurns = 0;
    for (int i = 0; i < streams; i++) {
      int chunks = chunksQueued.get(i);
      long expectedTurns = (chunks * 20L + TURN_MS - 1) / TURN_MS;
      assertThat(turns.stream().filter(("s" + i)::equals).count()).isEqualTo(expectedTurns);
      totalTurns += expectedTurns;
    }
    assertThat(turns).hasSize((int) totalTurns);
    assertThat(turnBytes).allMatch(b -> b <= TURN_MS * 32);
    // Between two turns of one stream, no other stream has two: it waited at most one round.
    for (int i = 0; i < turns.size(); i++) {
      int next = turns.subList(i + 1, turns.size()).indexOf(turns.get(i));
      if (next >= 0) {
        Set<String> between = new HashSet<>(turns.subList(i + 1, i + 1 + next));
        assertThat(between).as("turn order %s", turns).hasSize(next);
      }
    }
  }
}
