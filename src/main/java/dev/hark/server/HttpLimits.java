package dev.hark.server;

/** The bounds on one plain HTTP request and on a connection's queue of them; see docs/protocol.md. */
final class HttpLimits {
  /** The request line: method, target and version. */
  static final int MAX_REQUEST_LINE_BYTES = 4096;
  /** All header lines together. */
  static final int MAX_HEADER_BYTES = 8192;
  /** Header fields, however small each is. */
  static final int MAX_HEADERS = 100;
  /** A request body (Hark's routes take none; this is what is read before saying so). */
  static final int MAX_BODY_BYTES = 16 * 1024;
  /** Answers written but not yet taken by the client's socket, past which a pipelining client is cut off. */
  static final int MAX_UNSENT_ANSWERS = 16;

  private HttpLimits() {}
}
