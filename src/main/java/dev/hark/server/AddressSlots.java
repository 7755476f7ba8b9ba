package dev.hark.server;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Each client address's share of sessions ({@code --max-sessions-per-ip}), as slots. A slot is held by the
 * connection it was taken for, or, for a session of Hark's own protocol, by the session: one waiting for a resume
 * keeps counting against the address that made it until it is resumed (then it counts against the resuming
 * connection's) or ends, so dropping connections frees no slot. Any thread.
 */
final class AddressSlots {
  /** One slot of one address, given back once however often it is released. */
  static final class Slot {
    private final InetAddress address;
    private final AddressSlots of;
    private final AtomicBoolean held = new AtomicBoolean(true);

    private Slot(InetAddress address, AddressSlots of) {
      this.address = address;
      this.of = of;
    }

    InetAddress address() {
      return address;
    }

    void release() {
      if (held.compareAndSet(true, false)) {
        of.counts.computeIfPresent(address, (k, n) -> n <= 1 ? null : n - 1);
      }
    }
  }

  private final int perAddress;
  private final ConcurrentHashMap<InetAddress, Integer> counts = new ConcurrentHashMap<>();

  AddressSlots(int perAddress) {
    this.perAddress = perAddress;
  }

  /** A slot of {@code address}, or null when it holds {@code --max-sessions-per-ip} already. */
  Slot take(InetAddress address) {
    boolean[] taken = new boolean[1];
    counts.compute(address, (k, n) -> {
      int now = n == null ? 0 : n;
      taken[0] = now < perAddress;
      return taken[0] ? Integer.valueOf(now + 1) : n;
    });
    return taken[0] ? new Slot(address, this) : null;
  }
}
