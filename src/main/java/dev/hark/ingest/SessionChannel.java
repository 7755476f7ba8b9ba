package dev.hark.ingest;

import dev.hark.protocol.ServerMessage;

/** The session's connection as ingest sees it, so ingest needs no network code (the server implements it on Netty). */
public interface SessionChannel {
  /** Sends a message; a droppable one is dropped (and counted) when the client is not reading. Any thread. */
  void send(ServerMessage message);

  /** Runs {@code task} on the session's own thread, where all session state is changed. */
  void execute(Runnable task);

  /** Runs {@code task} on the session's own thread after {@code delayNanos}. */
  void schedule(Runnable task, long delayNanos);

  /** Stops or resumes reading the socket; a stopped socket makes TCP push back on the client. Session thread only. */
  void setReading(boolean reading);

  /** Closes the connection with a WebSocket close code. */
  void close(int code, String reason);

  /** True on the session's own thread: entry points assert it (tests run with -ea). */
  boolean inSessionThread();

  /** Whether the client's protocol has acknowledgements of audio (Hark's own); others are not sent any. */
  default boolean acknowledgesAudio() {
    return true;
  }

  /** The client's address, for logs. */
  String remoteAddress();
}
