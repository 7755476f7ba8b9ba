package dev.hark.protocol;

/** WebSocket close codes the server uses (RFC 6455 section 7.4), named for what they mean in Hark. */
public final class CloseCode {
  /** The session ended after {@code stop}: every result was sent. */
  public static final int NORMAL = 1000;
  /** The server is shutting down or the session outlived a limit. */
  public static final int GOING_AWAY = 1001;
  /** The client broke the WebSocket protocol itself (bad framing, bad masking, invalid close). */
  public static final int PROTOCOL_ERROR = 1002;
  /** A close frame whose reason is not UTF-8. */
  public static final int INVALID_PAYLOAD = 1007;
  /** The client flooded the server: far more messages than {@code --max-messages-per-s} within one second. */
  public static final int POLICY_VIOLATION = 1008;
  /** A frame or message larger than {@code --max-message-kb}. */
  public static final int MESSAGE_TOO_BIG = 1009;
  /** The server failed in a way it cannot recover for this session. */
  public static final int INTERNAL_ERROR = 1011;

  /** The server cannot take this session now (its recognizer's capacity is promised): try again later. */
  public static final int TRY_AGAIN_LATER = 1013;

  private CloseCode() {}
}
