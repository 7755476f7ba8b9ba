package dev.hark.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The small JSON the dialects read and write: a client's control message as its top-level fields (nested objects as
 * maps; numbers, booleans, strings and nulls as such; an array as {@link #ARRAY}, unread), and a reply built on a
 * generator.
 */
final class JsonFields {
  private static final JsonFactory JSON = new JsonFactory();
  /** What an array is read as: there, but none of its elements is read. */
  static final Object ARRAY = new Object() {
    @Override
    public String toString() {
      return "[...]";
    }
  };

  /** Writes one JSON value. */
  @FunctionalInterface
  interface Writer {
    void write(JsonGenerator g) throws IOException;
  }

  private JsonFields() {}

  /** The fields of {@code json}; null when it is not a JSON object. */
  static Map<String, Object> read(String json) {
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      Map<String, Object> out = object(p);
      return p.nextToken() == null ? out : null; // trailing bytes: not one object
    } catch (IOException e) {
      return null;
    }
  }

  /** The string at a path of nested objects, or null. */
  static String string(Map<String, Object> fields, String... path) {
    return at(fields, path) instanceof String s ? s : null;
  }

  /** The value at a path of nested objects, or null. */
  static Object at(Map<String, Object> fields, String... path) {
    Object v = fields;
    for (String name : path) {
      if (!(v instanceof Map<?, ?> m)) {
        return null;
      }
      v = m.get(name);
    }
    return v;
  }

  /** Whether the path's last object has the field, even as null. */
  static boolean has(Map<String, Object> fields, String... path) {
    Object parent = path.length == 1 ? fields : at(fields, Arrays.copyOf(path, path.length - 1));
    return parent instanceof Map<?, ?> m && m.containsKey(path[path.length - 1]);
  }

  private static Map<String, Object> object(JsonParser p) throws IOException {
    Map<String, Object> out = new HashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (v) {
        case START_OBJECT -> out.put(name, object(p));
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> out.put(name, p.getNumberValue());
        case VALUE_TRUE, VALUE_FALSE -> out.put(name, v == JsonToken.VALUE_TRUE);
        case VALUE_STRING -> out.put(name, p.getText());
        case VALUE_NULL -> out.put(name, null);
        case START_ARRAY -> {
          out.put(name, ARRAY);
          p.skipChildren();
        }
        default -> p.skipChildren();
      }
    }
    return out;
  }

  /** The JSON text {@code writer} makes. */
  static String write(Writer writer) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      writer.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
