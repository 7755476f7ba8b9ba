package dev.hark.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audio a client sent that the server has not acknowledged yet, per source, to send again after a resume: at
 * most {@code keepMs} of it per source (the oldest goes first, and the server then counts it as lost). Not
 * thread-safe: its owner locks.
 */
public final class UnackedAudio {
  /** One frame as it was sent: a JSON text (String) or a binary frame (byte[]). */
  public record Frame(long seq, Object wire, long durationMs) {}

  private final long keepMs;
  private final Map<String, ArrayDeque<Frame>> bySource = new LinkedHashMap<>();
  private final Map<String, Long> keptMs = new LinkedHashMap<>();

  public UnackedAudio(long keepMs) {
    this.keepMs = keepMs;
  }

  public void sent(String source, Frame f) {
    ArrayDeque<Frame> q = bySource.computeIfAbsent(source, s -> new ArrayDeque<>());
    q.addLast(f);
    long ms = keptMs.merge(source, f.durationMs(), Long::sum);
    while (ms > keepMs && q.size() > 1) {
      ms -= q.pollFirst().durationMs();
    }
    keptMs.put(source, ms);
  }

  /** The server has every frame of {@code source} up to {@code seq}; returns how many kept frames that released. */
  public int acked(String source, long seq) {
    ArrayDeque<Frame> q = bySource.get(source);
    if (q == null) {
      return 0;
    }
    long ms = keptMs.get(source);
    int n = 0;
    while (!q.isEmpty() && q.peekFirst().seq() <= seq) {
      ms -= q.pollFirst().durationMs();
      n++;
    }
    keptMs.put(source, ms);
    return n;
  }

  /** The frames of {@code source} from {@code nextSeq} on, oldest first, forgetting the ones before it. */
  public List<Frame> from(String source, long nextSeq) {
    acked(source, nextSeq - 1);
    ArrayDeque<Frame> q = bySource.get(source);
    return q == null ? List.of() : new ArrayList<>(q);
  }

  /** The sources with frames kept. */
  public List<String> sources() {
    return new ArrayList<>(bySource.keySet());
  }

  /** Audio kept for {@code source}, in ms. */
  public long keptMs(String source) {
    return keptMs.getOrDefault(source, 0L);
  }
}
