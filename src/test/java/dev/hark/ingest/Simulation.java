package dev.hark.ingest;

import dev.hark.metrics.HarkMetrics;
import dev.hark.protocol.ClientMessage;
import dev.hark.protocol.DropReason;
import dev.hark.protocol.OverflowPolicy;
import dev.hark.protocol.ServerMessage;
import dev.hark.protocol.ShedReason;
import dev.hark.protocol.StatusState;
import dev.hark.testing.FakeSessionChannel;
import dev.hark.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A server's overload control with everything but the decision simulated, on a manual clock: sessions are admitted
 * through the real {@link SessionAdmission}, send a 20 ms chunk each every 20 ms through the real
 * {@link SessionState} and queues, and a simulated recognizer of {@code threads} decoding threads takes chunks in
 * turns, first come first served, each costing its session's true cost (decoding seconds per second of audio),
 * which it reports as the real scheduler does; the load is reported every 250 ms. What a test controls is when
 * sessions arrive and what they truly cost.
 */
final class Simulation {
  static final long TICK_MS = 20;
  static final int CHUNK = 640;
  private static final long TICK_NANOS = TICK_MS * 1_000_000;
  private static final long REPORT_NANOS = 250_000_000;

  /** One simulated client: its session (null if refused at the upgrade) and what it truly costs. */
  final class Client {
    final double cost;
    final SessionState session;
    final FakeSessionChannel channel;
    final long arrivedNanos;
    PcmStream stream;
    private int seq;
    /** Decoding time owed for the chunk in progress, carried across ticks. */
    private long debtNanos;

    Client(double cost, SessionState session, FakeSessionChannel channel) {
      this.cost = cost;
      this.session = session;
      this.channel = channel;
      this.arrivedNanos = clock.getAsLong();
    }

    boolean admitted() {
      return session != null && channel.closeCode() == 0;
    }

    SourceState source() {
      return session.sources().iterator().next();
    }

    /** Chunks dropped because the queue was full: the recognizer was behind. */
    long capacityDrops() {
      SourceStatsView v = new SourceStatsView(source());
      return v.dropped(DropReason.DROP_OLDEST) + v.dropped(DropReason.DROP_NEWEST);
    }

    boolean toldShed() {
      return channel.statuses(StatusState.SOURCE_DROPPED).stream()
          .anyMatch(s -> s.reason() == ShedReason.ASR_CAPACITY);
    }

    /** When it was told {@code source_dropped} first. */
    long shedAtNanos() {
      return channel.sent().stream().filter(m -> m.message() instanceof ServerMessage.Status st
          && st.state() == StatusState.SOURCE_DROPPED).findFirst().orElseThrow().atNanos();
    }

    List<ServerMessage.Status> statuses(StatusState state) {
      return channel.statuses(state);
    }
  }

  /** A source's drop counts by reason, read from its stats. */
  private record SourceStatsView(SourceState src) {
    long dropped(DropReason r) {
      return src.stats(16000).droppedByReason().getOrDefault(r.wire(), 0L);
    }
  }

  final ManualClock clock = new ManualClock();
  final ConcurrencyController controller;
  final List<Client> clients = new ArrayList<>();
  private final int threads;
  private long nextReport;
  private long busyNanos;
  private int turn;

  Simulation(int threads, double prior, boolean control) {
    this.threads = threads;
    IngestSettings ingest = IngestSettings.defaults();
    controller = new ConcurrencyController(ingest, LoadSettings.of(control, threads, 500, 200, ingest.shedHold()),
        new HarkMetrics(), clock);
    controller.ledger().expect(prior, prior);
    controller.admission().markLoaded();
    nextReport = clock.getAsLong() + REPORT_NANOS;
  }

  /** A client arrives and asks for a session of one source: admitted or refused at the upgrade, as a server does. */
  Client arrive(double cost, int priority, OverflowPolicy policy) {
    long credit = controller.admission().tryReserve();
    if (credit == SessionAdmission.REFUSED) {
      Client c = new Client(cost, null, null);
      clients.add(c);
      return c;
    }
    FakeSessionChannel ch = new FakeSessionChannel(clock);
    Client[] made = new Client[1];
    SessionState s = new SessionState("s" + clients.size(), ch, controller,
        (audio, replies) -> made[0].stream = audio, null, 1_000_000, credit);
    made[0] = new Client(cost, s, ch);
    clients.add(made[0]);
    s.handle(new ClientMessage.Start(16000, List.of("mic"), policy, Map.of("mic", priority)));
    return made[0];
  }

  Client arrive(double cost) {
    return arrive(cost, 0, OverflowPolicy.DROP_OLDEST);
  }

  /** 20 ms pass: every admitted client sends a chunk, the recognizer decodes, the load is reported when due. */
  void tick() {
    for (Client c : clients) {
      if (c.admitted()) {
        c.session.handle(new ClientMessage.Audio("mic", new byte[CHUNK], c.seq++));
      }
    }
    decode();
    clock.advanceMillis(TICK_MS);
    if (clock.getAsLong() >= nextReport) {
      report();
      nextReport += REPORT_NANOS;
    }
  }

  void run(Duration d) {
    for (long t = 0; t < d.toMillis(); t += TICK_MS) {
      tick();
    }
  }

  /** The decoding threads' time of one tick, spent on chunks in turns across the streams with audio queued. */
  private void decode() {
    long budget = threads * TICK_NANOS;
    List<Client> live = clients.stream().filter(c -> c.stream != null).toList();
    int idle = 0;
    while (budget > 0 && !live.isEmpty() && idle < live.size()) {
      Client c = live.get(turn++ % live.size());
      if (c.stream.queuedMs() == 0 && c.debtNanos == 0) {
        idle++;
        continue;
      }
      idle = 0;
      if (c.debtNanos == 0) {
        if (c.stream.poll() == null) {
          continue;
        }
        c.debtNanos = Math.round(c.cost * TICK_NANOS);
      }
      long spent = Math.min(budget, c.debtNanos);
      c.debtNanos -= spent;
      budget -= spent;
      busyNanos += spent;
      if (c.debtNanos == 0) {
        c.stream.decoded(TICK_NANOS, Math.round(c.cost * TICK_NANOS));
      }
    }
  }

  private void report() {
    long lag = 0;
    int streams = 0;
    for (Client c : clients) {
      if (c.stream != null && !c.source().isShed()) {
        lag = Math.max(lag, c.stream.queuedMs() + (c.debtNanos > 0 ? TICK_MS : 0));
        streams++;
      }
    }
    double utilisation = Math.min(1, (double) busyNanos / (threads * REPORT_NANOS));
    busyNanos = 0;
    controller.recognizerLoad(new RecognizerLoad(threads, utilisation, lag, streams, 1));
  }

  List<Client> admitted() {
    return clients.stream().filter(Client::admitted).toList();
  }

  List<Client> kept() {
    return admitted().stream().filter(c -> !c.source().isShed()).toList();
  }
}
