package dev.hark.protocol;

/**
 * A client mistake: the code and a human-readable message, sent back as an {@code error} message. The message is
 * capped at {@link #MAX_MESSAGE_CHARS}, so no error can echo an unbounded piece of what the client sent.
 */
public record ProtocolError(ErrorCode code, String message) implements Decoded {
  public static final int MAX_MESSAGE_CHARS = 200;

  public ProtocolError {
    if (message.length() > MAX_MESSAGE_CHARS) {
      int cut = MAX_MESSAGE_CHARS - 3;
      if (Character.isHighSurrogate(message.charAt(cut - 1))) {
        cut--; // never half a character
      }
      message = message.substring(0, cut) + "...";
    }
  }
}
