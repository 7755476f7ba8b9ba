package dev.hark.client;

import java.util.Map;

/**
 * What an application hears of a {@link ResumableSocket}'s session: every server message, as if there had been one
 * connection, and when the connection was lost and the session is resumed or renewed. Called on the WebSocket's
 * threads, one at a time.
 */
public interface SessionEvents {
  void message(String json, Map<String, Object> m);

  /** The connection was lost; the session is being resumed. */
  void resuming(String why);

  /**
   * The session could not be resumed (its node is gone, or it ended): a new one is opened in its place and the
   * audio not acknowledged is sent to it. {@code ackedFrames} of the old one had been acknowledged: what of them
   * it had not yet recognized is lost (transcripts only: with {@code --record} the audio is on the server's disk).
   */
  void renewing(String why, long ackedFrames);

  /** The session is over: closed by the server, or lost and not resumed ({@code code} 1006). */
  void closed(int code, String reason);
}
