package dev.hark.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** The fields of {@code start} that name sources: {@code sources} and {@code priority}. */
final class SourceFields {
  /** A binary frame's index byte addresses at most this many sources. */
  static final int MAX_SOURCES = 255;
  static final int MAX_PRIORITY = 1000;

  private SourceFields() {}

  /** {@code ["mic","system"]}: distinct valid source names, in order; read into {@code out}. */
  static ProtocolError sources(JsonToken value, JsonParser p, List<String> out) throws IOException {
    if (value != JsonToken.START_ARRAY) {
      p.skipChildren();
      return wrongType("sources", "an array of source names");
    }
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        p.skipChildren();
        return wrongType("sources", "an array of source names");
      }
      String s = p.getText();
      if (!SourceName.isValid(s)) {
        return SourceName.invalid(s);
      }
      if (out.contains(s)) {
        return new ProtocolError(ErrorCode.BAD_SOURCE, "source \"" + s + "\" is listed twice");
      }
      out.add(s);
      if (out.size() > MAX_SOURCES) {
        return new ProtocolError(ErrorCode.TOO_MANY_SOURCES, "a binary frame can address at most 255 sources");
      }
    }
    return null;
  }

  /**
   * {@code {"mic": 2, "system": 1}}: whole numbers from -1000 to 1000 for valid source names; read into {@code out}.
   */
  static ProtocolError priority(JsonToken value, JsonParser p, Map<String, Integer> out) throws IOException {
    if (value != JsonToken.START_OBJECT) {
      p.skipChildren();
      return wrongType("priority", "an object of source names to whole numbers");
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      if (!SourceName.isValid(name)) {
        return SourceName.invalid(name);
      }
      if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT
          || Math.abs(p.getIntValue()) > MAX_PRIORITY) {
        p.skipChildren();
        return new ProtocolError(ErrorCode.BAD_MESSAGE, "priority of a source must be a whole number from -1000 to "
            + "1000");
      }
      if (out.size() >= MAX_SOURCES) {
        return new ProtocolError(ErrorCode.TOO_MANY_SOURCES, "priority names more than 255 sources");
      }
      out.put(name, p.getIntValue());
    }
    return null;
  }

  private static ProtocolError wrongType(String field, String expected) {
    return new ProtocolError(ErrorCode.BAD_MESSAGE, field + " must be " + expected);
  }
}
