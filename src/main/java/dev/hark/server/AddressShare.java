package dev.hark.server;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * What a session of Hark's own protocol holds of its address's share of sessions ({@link AddressSlots}): a slot,
 * from its first connection until it ends, waiting for a resume or not; or, while its connection was let in on a
 * waiting session's slot to resume that session ({@link #claim}), nothing of its own. Touched from the upgrade's
 * thread, the session's and a resuming connection's: atomics.
 */
final class AddressShare {
  private final String sessionId;
  private final AtomicReference<AddressSlots.Slot> slot = new AtomicReference<>();
  /** A resume upgrade was let in on this session's slot and has not resumed it yet. */
  private final AtomicBoolean claimed = new AtomicBoolean();
  /** The waiting session's share whose slot this session's connection was let in on, until it resumes or settles. */
  private volatile AddressShare claimedFrom;

  AddressShare(String sessionId) {
    this.sessionId = sessionId;
  }

  /** Takes what the session's connection was admitted on: a slot, or a claim on a waiting session's. */
  void take(Admission.Admitted admitted) {
    slot.set(admitted.slot());
    claimedFrom = admitted.claimed();
  }

  String sessionId() {
    return sessionId;
  }

  /**
   * Lets a resume upgrade from {@code address} in on this session's slot, if the slot is of that address and no
   * other upgrade holds it so: a resume takes a session up, it adds none, so a client at its share may resume.
   */
  boolean claim(InetAddress address) {
    AddressSlots.Slot s = slot.get();
    return s != null && s.address().equals(address) && claimed.compareAndSet(false, true);
  }

  /** Ends a claim: the upgrade is gone, or its connection resumed nothing. */
  void unclaim() {
    claimed.set(false);
  }

  /**
   * This session's connection was let in on a waiting session's slot and does not resume it (it was refused, or
   * sent something else first): it gives the claim up and takes a slot of its own from {@code take}. False when the
   * address has none left.
   */
  boolean settle(Supplier<AddressSlots.Slot> take) {
    AddressShare from = claimedFrom;
    if (from == null) {
      return true;
    }
    claimedFrom = null;
    from.unclaim();
    AddressSlots.Slot s = take.get();
    slot.set(s);
    return s != null;
  }

  /**
   * This session was resumed by the connection whose fresh session holds {@code resumer}: it counts against that
   * connection's address from now on, taking its slot and giving its own back; unless that connection was let in on
   * this session's own slot, which it keeps.
   */
  void resumedBy(AddressShare resumer) {
    if (resumer.claimedFrom == this) {
      resumer.claimedFrom = null;
      claimed.set(false);
      return;
    }
    AddressSlots.Slot s = resumer.slot.getAndSet(null);
    if (s != null) {
      AddressSlots.Slot old = slot.getAndSet(s);
      if (old != null) {
        old.release();
      }
    }
  }

  /** The session ended: its slot goes back, and so does any claim it held. */
  void release() {
    AddressSlots.Slot s = slot.getAndSet(null);
    if (s != null) {
      s.release();
    }
    AddressShare from = claimedFrom;
    claimedFrom = null;
    if (from != null) {
      from.unclaim();
    }
  }
}
