package dev.hark.protocol;

/** What happens to a chunk that arrives when its source queue is full, chosen per session in {@code start}. */
public enum OverflowPolicy {
  /** Evict the oldest queued chunk to make room: latency stays bounded, the oldest audio is lost. */
  DROP_OLDEST("drop_oldest"),
  /** Refuse the new chunk: what is queued stays, the newest audio is lost. */
  DROP_NEWEST("drop_newest"),
  /** Lose nothing: stop reading the socket until the queue has room, so TCP pushes back on the client. */
  BLOCK("block");

  private final String wire;

  OverflowPolicy(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The policy with this wire name, or null if there is none. */
  public static OverflowPolicy fromWire(String name) {
    for (OverflowPolicy p : values()) {
      if (p.wire.equals(name)) {
        return p;
      }
    }
    return null;
  }
}
