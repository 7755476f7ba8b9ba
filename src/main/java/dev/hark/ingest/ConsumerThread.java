package dev.hark.ingest;

import dev.hark.protocol.DropReason;
import dev.hark.protocol.ErrorCode;
import dev.hark.protocol.ServerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The virtual thread that runs the recognizer over one source's stream. A recognizer that fails or gives up early
 * is reported ({@code asr_failed}) and the rest of its queue is read and counted as dropped, so it never fills.
 */
final class ConsumerThread {
  private static final Logger log = LoggerFactory.getLogger(ConsumerThread.class);

  private ConsumerThread() {}

  /** Starts the consumer of {@code src}; {@code src.done()} completes when it has ended. */
  static void start(String sessionId, SourceState src, SourceConsumer consumer, SessionChannel channel,
      ConcurrencyController controller) {
    Thread t = Thread.ofVirtual().name("hark-" + sessionId + "-" + src.name())
        .unstarted(() -> run(sessionId, src, consumer, channel, controller));
    src.consumer(t);
    controller.consumerStarted();
    t.start();
  }

  private static void run(String sessionId, SourceState src, SourceConsumer consumer, SessionChannel channel,
      ConcurrencyController controller) {
    try {
      consumer.consume(src.stream(), channel);
    } catch (InterruptedException e) {
      log.debug("session={} source={} consumer interrupted", sessionId, src.name());
    } catch (Exception e) {
      log.warn("session={} source={} recognizer failed: {}", sessionId, src.name(), e.toString());
      channel.send(new ServerMessage.Error(ErrorCode.ASR_FAILED, "the recognizer of this source failed: " + e,
          src.name()));
      controller.metrics().protocolError(ErrorCode.ASR_FAILED);
    } finally {
      long rest = Thread.currentThread().isInterrupted() ? 0 : src.stream().discardRest();
      if (rest > 0) {
        src.recordDrops(DropReason.ASR_FAILED, rest);
      }
      controller.consumerEnded();
      src.done().complete(null);
    }
  }
}
