package dev.hark.protocol;

/** The rules for source names: they become metric labels and log fields, so they are short and plain. */
public final class SourceName {
  /** The source of an audio message that names none, as in the Python original Hark's design comes from. */
  public static final String DEFAULT = "system";
  public static final int MAX_LENGTH = 32;

  private SourceName() {}

  /** True when {@code name} is 1–32 characters of {@code [A-Za-z0-9_.-]}. */
  public static boolean isValid(String name) {
    int n = name.length();
    if (n == 0 || n > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '.' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static ProtocolError invalid(String name) {
    return new ProtocolError(ErrorCode.BAD_SOURCE,
        "source must be 1-32 characters of [A-Za-z0-9_.-], got \"" + abbreviate(name) + "\"");
  }

  static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
