package dev.hark.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * A server's name in a cluster ({@code --node-name}): the part of every session id before the dot, so that a load
 * balancer can send a resume ({@code ?resume=SESSION_ID}) to the node that holds the session.
 */
final class NodeName {
  static final String RULE = "a node name is 1-32 of a-z, 0-9 and -";

  private NodeName() {}

  static boolean isValid(String name) {
    return name != null && !name.isEmpty() && name.length() <= 32
        && name.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  }

  /** This machine's host name, made valid; {@code hark} if it has none. Looked up once. */
  static String defaultName() {
    return Default.NAME;
  }

  /** Holds the looked-up name, so that it is looked up on first use only. */
  private static final class Default {
    static final String NAME = lookUp();
  }

  private static String lookUp() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "hark";
    }
    String name = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    name = name.length() > 32 ? name.substring(0, 32) : name;
    return name.isEmpty() ? "hark" : name;
  }

  /** The node a session id names, or null if it names none. */
  static String of(String sessionId) {
    int dot = sessionId.indexOf('.');
    return dot > 0 ? sessionId.substring(0, dot) : null;
  }
}
