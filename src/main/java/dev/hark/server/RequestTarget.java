package dev.hark.server;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;

/**
 * A request's target split into its raw path and its decoded query. Routes match the raw path, byte for byte, as
 * Netty's WebSocket handshake does: a path that only decodes to a route ({@code /ws%2Flive}) is not that route.
 * Parsing never throws; a bad %-escape anywhere is a {@link Malformed} target.
 */
sealed interface RequestTarget {
  /** A well-formed target. */
  record Parsed(String path, Map<String, List<String>> query) implements RequestTarget {
    /** The first value of a query parameter, or null. */
    String param(String name) {
      List<String> v = query.get(name);
      return v == null || v.isEmpty() ? null : v.get(0);
    }
  }

  /** A target with a bad %-escape; {@code message} says so without repeating any of it. */
  record Malformed(String message) implements RequestTarget {}

  static RequestTarget parse(String uri) {
    int end = uri.length();
    int hash = uri.indexOf('#');
    if (hash >= 0) {
      end = hash;
    }
    int q = uri.indexOf('?');
    String path = q >= 0 && q < end ? uri.substring(0, q) : uri.substring(0, end);
    try {
      QueryStringDecoder.decodeComponent(path); // validates the path's escapes; routes use it raw
      Map<String, List<String>> query = q >= 0 && q < end
          ? new QueryStringDecoder(uri.substring(q + 1, end), false).parameters() : Map.of();
      return new Parsed(path, query);
    } catch (IllegalArgumentException e) {
      // Netty's message repeats the whole target, token included: it goes nowhere.
      return new Malformed("malformed %-escape in the request target");
    }
  }
}
