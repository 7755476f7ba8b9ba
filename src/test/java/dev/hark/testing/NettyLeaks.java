package dev.hark.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails the test class in whose time Netty reported a buffer leak ({@code LEAK: ...} from its leak detector, which
 * the test JVM runs at the paranoid level). Registered for every test class through the JUnit service file; the
 * logback appender half is named in {@code logback-test.xml}. Netty reports a leak only when the garbage collector
 * has found the buffer and a later allocation polls for it, so after each class this collects and allocates.
 */
public final class NettyLeaks implements AfterAllCallback {
  private static final List<String> REPORTS = new ArrayList<>();

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(20);
      // Each allocation polls the detector's queue of collected, unreleased buffers.
      for (int j = 0; j < 64; j++) {
        ByteBufAllocator.DEFAULT.directBuffer(16).release();
        ByteBufAllocator.DEFAULT.heapBuffer(16).release();
        Unpooled.directBuffer(16).release();
      }
    }
    List<String> leaks = drain();
    if (!leaks.isEmpty()) {
      throw new AssertionError(leaks.size() + " Netty buffer leak(s) reported while "
          + context.getDisplayName() + " ran (or just before):\n" + String.join("\n\n", leaks));
    }
  }

  private static List<String> drain() {
    synchronized (REPORTS) {
      List<String> copy = List.copyOf(REPORTS);
      REPORTS.clear();
      return copy;
    }
  }

  /** Collects Netty's {@code LEAK:} reports; named as an appender in {@code logback-test.xml}. */
  public static final class Appender extends AppenderBase<ILoggingEvent> {
    @Override
    protected void append(ILoggingEvent e) {
      if (e.getFormattedMessage().contains("LEAK:")) {
        synchronized (REPORTS) {
          REPORTS.add(e.getFormattedMessage());
        }
      }
    }
  }
}
