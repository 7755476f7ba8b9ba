package dev.hark.asr;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives freed native memory back to the system. A recognizer's ~15 MB is freed when its stream ends, but glibc
 * keeps freed pages in its arenas for reuse, so after a thousand streams the process would hold the high-water
 * mark of them all; {@code malloc_trim} returns what is free. Linux with glibc only; elsewhere it does nothing.
 */
final class NativeHeap {
  private static final Logger log = LoggerFactory.getLogger(NativeHeap.class);
  private static final LibC LIBC = load();

  /** The one glibc call needed. */
  interface LibC extends Library {
    int malloc_trim(long pad);
  }

  private NativeHeap() {}

  private static LibC load() {
    if (!System.getProperty("os.name", "").startsWith("Linux")) {
      return null;
    }
    try {
      return Native.load("c", LibC.class);
    } catch (UnsatisfiedLinkError e) {
      log.info("malloc_trim is not available ({}): freed recognizer memory stays with the process", e.getMessage());
      return null;
    }
  }

  /** Returns free native heap pages to the system; a few milliseconds. */
  static void trim() {
    if (LIBC != null) {
      LIBC.malloc_trim(0);
    }
  }
}
