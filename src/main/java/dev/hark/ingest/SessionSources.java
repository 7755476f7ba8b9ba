package dev.hark.ingest;

import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.DropReason;
import dev.hark.protocol.ErrorCode;
import dev.hark.protocol.ProtocolError;
import dev.hark.protocol.SourceStats;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A session's sources by name, in the order they opened: those {@code start} declared (binary frames name them by
 * index) and those opened by their first chunk. Opening one gives it a queue and starts its recognition. Owned by
 * the session's thread.
 */
final class SessionSources {
  private final Map<String, SourceState> byName = new LinkedHashMap<>();
  private final List<SourceState> declared = new ArrayList<>();
  private Map<String, Integer> priorities = Map.of();

  /** The priorities {@code start} gave, for the sources opened from now on. */
  void priorities(Map<String, Integer> given) {
    priorities = given;
  }

  SourceState get(String name) {
    return byName.get(name);
  }

  /** The source {@code start} declared at {@code index}, or null if it declared fewer. */
  SourceState declared(int index) {
    return index < declared.size() ? declared.get(index) : null;
  }

  int declaredCount() {
    return declared.size();
  }

  int count() {
    return byName.size();
  }

  Collection<SourceState> all() {
    return byName.values();
  }

  Set<String> names() {
    return byName.keySet();
  }

  /** Each source's next expected {@code seq}, for a resumed {@code ready}. */
  Map<String, Long> nextSeqs() {
    Map<String, Long> next = new LinkedHashMap<>();
    for (SourceState src : byName.values()) {
      next.put(src.name(), src.nextSeq());
    }
    return next;
  }

  /**
   * Flushes source {@code name}, or every source when null; the error to tell when there is no such source, or a
   * source already has {@link SourceQueue#MAX_FLUSHES} pending (that one is not flushed again).
   */
  ProtocolError flush(String name) {
    SourceState one = name == null ? null : byName.get(name);
    if (name != null && one == null) {
      return new ProtocolError(ErrorCode.UNKNOWN_SOURCE, "flush names source \"" + name + "\", which has sent no "
          + "audio");
    }
    List<String> full = new ArrayList<>();
    for (SourceState src : one != null ? List.of(one) : byName.values()) {
      if (!src.flush()) {
        full.add(src.name());
      }
    }
    return full.isEmpty() ? null : new ProtocolError(ErrorCode.BAD_STATE, SourceQueue.MAX_FLUSHES
        + " flushes are pending already for " + String.join(", ", full) + ": wait for flushed");
  }

  /**
   * Opens source {@code name} of {@code session} (declared by {@code start} if {@code declare}): its queue, its
   * place in the controller's view, and its recognition, started at once.
   */
  SourceState open(SessionState session, String name, int sampleRate, boolean declare) {
    ConcurrencyController controller = session.controller();
    IngestSettings settings = controller.settings();
    HarkMetrics metrics = controller.metrics();
    SourceQueue queue = new SourceQueue(settings.queueMax(), settings.queueMaxBytes(sampleRate), controller.budget());
    SourceState src = new SourceState(session, name, queue, metrics, sampleRate, settings.statusInterval().toNanos());
    src.priority(priorities.getOrDefault(name, 0));
    byName.put(name, src);
    if (declare) {
      declared.add(src);
    }
    controller.register(src);
    controller.streamStarted();
    return src;
  }

  /** Ends every source's input; completes when each stream has been recognized to its end. */
  CompletableFuture<Void> endInput() {
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (SourceState src : byName.values()) {
      src.queue().end();
      done.add(src.done());
    }
    return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
  }

  /** The connection is gone: every queue is emptied, what it held counted as {@code session_closed}. */
  Collection<SourceState> abortAll() {
    for (SourceState src : byName.values()) {
      int discarded = src.queue().abort();
      if (discarded > 0) {
        src.recordDrops(DropReason.SESSION_CLOSED, discarded);
      }
    }
    return byName.values();
  }

  List<SourceStats> stats(int sampleRate) {
    List<SourceStats> out = new ArrayList<>(byName.size());
    for (SourceState src : byName.values()) {
      out.add(src.stats(sampleRate));
    }
    return out;
  }
}
