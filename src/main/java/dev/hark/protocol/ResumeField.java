package dev.hark.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The {@code resume} field of {@code start}: {@code {"session_id": ..., "token": ..., "finals": N}}, the id and
 * token short strings of printable ASCII as the session's {@code ready} gave them, {@code finals} optional (a whole
 * number from 0 to 2^63-1; one past the finals made asks for none again).
 */
final class ResumeField {
  private static final int MAX_LENGTH = 128;
  /** What a malformed field is told. */
  static final ProtocolError BAD = new ProtocolError(ErrorCode.BAD_MESSAGE,
      "resume must be {\"session_id\": ..., \"token\": ..., \"finals\": N} with the values of the session's ready"
      + " and N a whole number from 0");

  private ResumeField() {}

  /** The field's value, or null when it is malformed (then {@link #BAD} says so). */
  static ClientMessage.Resume read(JsonToken value, JsonParser p) throws IOException {
    if (value != JsonToken.START_OBJECT) {
      p.skipChildren();
      return null;
    }
    String sessionId = null;
    String token = null;
    long finals = -1;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      if (v == JsonToken.VALUE_STRING && field.equals("session_id")) {
        sessionId = p.getText();
      } else if (v == JsonToken.VALUE_STRING && field.equals("token")) {
        token = p.getText();
      } else if (field.equals("finals")) {
        // A count of finals is a whole number from 0; anything else is refused, not taken as "did not say".
        if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            || p.getLongValue() < 0) {
          p.skipChildren();
          return null;
        }
        finals = p.getLongValue();
      } else {
        p.skipChildren();
      }
    }
    return isValid(sessionId) && isValid(token) ? new ClientMessage.Resume(sessionId, token, finals) : null;
  }

  private static boolean isValid(String s) {
    return s != null && !s.isEmpty() && s.length() <= MAX_LENGTH && s.chars().allMatch(c -> c > 32 && c < 127);
  }
}
