package dev.hark.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Everything the server logs while a test runs, as the text an operator would read, stack traces included. */
public final class LogCapture implements AutoCloseable {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final ch.qos.logback.classic.Level rootLevel = root.getLevel();

  private LogCapture() {
    appender.start();
    root.addAppender(appender);
    root.setLevel(ch.qos.logback.classic.Level.DEBUG); // what an operator at debug level would see
  }

  public static LogCapture start() {
    return new LogCapture();
  }

  /** Each event as one string: level, logger, message, and the whole stack trace if any. */
  public List<String> lines() {
    return List.copyOf(appender.list).stream().map(LogCapture::text).toList();
  }

  /** Events from Hark's own loggers at WARN or above. */
  public List<String> warnings() {
    return List.copyOf(appender.list).stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN))
        .map(LogCapture::text).toList();
  }

  private static String text(ILoggingEvent e) {
    IThrowableProxy t = e.getThrowableProxy();
    return e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage()
        + (t == null ? "" : "\n" + ThrowableProxyUtil.asString(t));
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    root.setLevel(rootLevel);
  }
}
