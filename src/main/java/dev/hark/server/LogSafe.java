package dev.hark.server;

import java.util.regex.Pattern;

/**
 * Makes text that may carry client input fit for the log: tokens and query strings are blanked, control characters
 * escaped, and the length capped, so no client can write a token, a forged line or a megabyte into the log.
 */
final class LogSafe {
  static final int MAX_CHARS = 200;
  private static final Pattern SECRETS =
      Pattern.compile("(?i)(bearer\\s+|token\\s*[=:.]\\s*|hark\\.token\\.)[^\\s,;'\"]*");
  private static final Pattern QUERY = Pattern.compile("\\?[^\\s'\"]*");

  private LogSafe() {}

  /** The text with secrets and queries blanked, control characters escaped, at most {@link #MAX_CHARS} long. */
  static String clean(String s) {
    if (s == null) {
      return "";
    }
    String t = QUERY.matcher(SECRETS.matcher(s).replaceAll("$1<redacted>")).replaceAll("?<query>");
    StringBuilder b = new StringBuilder(Math.min(t.length(), MAX_CHARS + 16));
    for (int i = 0; i < t.length() && b.length() < MAX_CHARS; i++) {
      char c = t.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\x%02x", (int) c));
      } else {
        b.append(c);
      }
    }
    return t.length() > b.length() ? b.append("...").toString() : b.toString();
  }

  /** A copy of {@code t} and its causes with cleaned messages and the same stack traces. */
  static Throwable scrub(Throwable t) {
    return scrub(t, 0);
  }

  private static Throwable scrub(Throwable t, int depth) {
    if (t == null || depth > 8) {
      return null;
    }
    Scrubbed s = new Scrubbed(t.getClass().getName() + ": " + clean(t.getMessage()), scrub(t.getCause(), depth + 1));
    s.setStackTrace(t.getStackTrace());
    return s;
  }

  /** Stands for an exception whose own message could have held client input. */
  static final class Scrubbed extends Exception {
    private static final long serialVersionUID = 1L;

    Scrubbed(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
