package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** One line a second at most, on a clock the test moves; the next line says how many were left out. */
class ThrottledLogTest {
  @Test
  void linesWithinASecondAreCountedNotLogged() {
    Logger logger = (Logger) LoggerFactory.getLogger("dev.hark.test.throttled");
    logger.setLevel(ch.qos.logback.classic.Level.INFO);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    AtomicLong now = new AtomicLong(5_000_000_000L);
    ThrottledLog log = new ThrottledLog(logger, now::get);
    log.info("first");
    for (int i = 0; i < 10; i++) {
      now.addAndGet(50_000_000L);
      log.info("again");
    }
    now.addAndGet(600_000_000L);
    log.info("later");
    assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly("first", "later (10 more like it not logged)");
    logger.detachAppender(lines);
  }
}
