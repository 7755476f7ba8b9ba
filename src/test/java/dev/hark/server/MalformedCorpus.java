package dev.hark.server;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

/**
 * A seeded generator of bad client messages, one kind at a time: broken and truncated JSON, wrong types, huge
 * numbers, invalid UTF-8, bad Base64, binary garbage, unknown types, bad source names and late resumes. Some valid
 * audio is mixed in so the accepted path is exercised in the same accounting.
 */
final class MalformedCorpus {
  /** One data message: text or binary, and its bytes. */
  record Message(boolean binary, byte[] bytes, String kind) {}

  private static final String[] WRONG_TYPES = {
    "{\"type\":1}", "{\"type\":null}", "{\"type\":\"audio\",\"source\":[\"mic\"],\"data\":\"AAAA\"}",
    "{\"type\":\"audio\",\"source\":\"mic\",\"data\":12}",
        "{\"type\":\"audio\",\"source\":\"mic\",\"data\":\"AAAA\",\"seq\":\"x\"}",
    "{\"type\":\"start\",\"sample_rate\":\"16000\"}", "{\"type\":\"start\",\"sources\":{\"a\":1}}",
    "{\"type\":\"start\",\"overflow\":7}", "[]", "\"audio\"", "123", "true", "null", "{\"type\":{\"type\":\"audio\"}}",
    "{\"type\":\"audio\",\"source\":\"mic\"}", "{\"type\":\"audio\",\"data\":\"AAAA\"}",
    // A resume that is not the connection's first message: bad_state, never a resume.
    "{\"type\":\"start\",\"resume\":{\"session_id\":\"vm.x\",\"token\":\"t\"}}"};
  private static final String[] HUGE = {"1e308", "99999999999999999999999999999", "-1", "0", "4294967296", "1.5",
    "-9223372036854775809", "1e-400", "NaN", "9223372036854775807", "-9223372036854775808", "9007199254740992",
    "18446744073709551616"};
  private static final String[] BAD_SOURCES = {"", " ", "bad name!", "a/b", "x".repeat(300), "mi\\u0000c", "émoji😀"};

  private final Random random;
  private final String validAudio;

  MalformedCorpus(long seed) {
    random = new Random(seed);
    byte[] pcm = new byte[640];
    random.nextBytes(pcm);
    validAudio = "{\"type\":\"audio\",\"source\":\"mic\",\"data\":\"" + Base64.getEncoder().encodeToString(pcm) + "\"}";
  }

  Message next() {
    int kind = random.nextInt(9);
    return switch (kind) {
      case 0 -> text("truncated", validAudio.substring(0, 1 + random.nextInt(validAudio.length() - 1)));
      case 1 -> text("junk", junk());
      case 2 -> text("wrong_type", WRONG_TYPES[random.nextInt(WRONG_TYPES.length)]);
      case 3 -> text("huge_number", random.nextBoolean()
          ? "{\"type\":\"start\",\"sample_rate\":" + HUGE[random.nextInt(HUGE.length)] + "}"
          : "{\"type\":\"audio\",\"source\":\"mic\",\"seq\":" + HUGE[random.nextInt(HUGE.length)]
              + ",\"data\":\"AAAA\"}");
      case 4 -> new Message(false, invalidUtf8(), "invalid_utf8");
      case 5 -> text("bad_base64", "{\"type\":\"audio\",\"source\":\"mic\",\"data\":\"" + badBase64() + "\"}");
      case 6 -> new Message(true, garbage(), "binary_garbage");
      case 7 -> text("bad_source", random.nextBoolean() ? "{\"type\":\"audoi\",\"source\":\"mic\"}"
          : "{\"type\":\"audio\",\"source\":\"" + BAD_SOURCES[random.nextInt(BAD_SOURCES.length)]
              + "\",\"data\":\"AAAA\"}");
      default -> text("valid_audio", validAudio);
    };
  }

  private static Message text(String kind, String s) {
    return new Message(false, s.getBytes(StandardCharsets.UTF_8), kind);
  }

  private String junk() {
    String alphabet = "{}[]\":,\\ abc01e+-.\ttruefalsenull";
    StringBuilder b = new StringBuilder();
    int n = random.nextInt(200);
    for (int i = 0; i < n; i++) {
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    if (random.nextInt(20) == 0) {
      b.append("[".repeat(5000)); // deeper than the parser's nesting limit
    }
    return b.toString();
  }

  private byte[] invalidUtf8() {
    byte[][] bad = {{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xC0,
        (byte) 0xAF},
      {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}};
    byte[] b = bad[random.nextInt(bad.length)];
    String[] around = {"{\"type\":\"audio\",\"source\":\"m", "ic\",\"data\":\"AAAA\"}"};
    byte[] head = around[0].getBytes(StandardCharsets.US_ASCII);
    byte[] tail = around[1].getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[head.length + b.length + tail.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(b, 0, out, head.length, b.length);
    System.arraycopy(tail, 0, out, head.length + b.length, tail.length);
    return random.nextBoolean() ? out : b;
  }

  private String badBase64() {
    return switch (random.nextInt(5)) {
      case 0 -> "A";
      case 1 -> "AA=A";
      case 2 -> "!!!!";
      case 3 -> Base64.getEncoder().encodeToString(new byte[1 + 2 * random.nextInt(100)]); // odd byte count
      default -> "";
    };
  }

  private byte[] garbage() {
    byte[] b = new byte[random.nextInt(700)];
    random.nextBytes(b);
    return b;
  }
}
