package dev.hark.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a server message into maps, lists, strings, numbers and booleans (clients need no data binding). */
public final class JsonObjects {
  private static final JsonFactory JSON = new JsonFactory();

  private JsonObjects() {}

  /** The JSON object in {@code text}, or an empty map if it is not one. */
  public static Map<String, Object> parse(String text) {
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Map.of();
      }
      return object(p);
    } catch (IOException e) {
      return Map.of();
    }
  }

  private static Map<String, Object> object(JsonParser p) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      m.put(name, value(p));
    }
    return m;
  }

  private static Object value(JsonParser p) throws IOException {
    return switch (p.currentToken()) {
      case START_OBJECT -> object(p);
      case START_ARRAY -> {
        List<Object> l = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          l.add(value(p));
        }
        yield l;
      }
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> p.getLongValue();
      case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
      case VALUE_TRUE -> true;
      case VALUE_FALSE -> false;
      default -> null;
    };
  }

  /** {@code m[key]} as a long, 0 if absent. */
  public static long num(Map<String, Object> m, String key) {
    return m.get(key) instanceof Number n ? n.longValue() : 0;
  }

  public static String str(Map<String, Object> m, String key) {
    return m.get(key) instanceof String s ? s : "";
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> obj(Map<String, Object> m, String key) {
    return m.get(key) instanceof Map<?, ?> o ? (Map<String, Object>) o : Map.of();
  }
}
