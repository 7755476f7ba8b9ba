package dev.hark.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A WebSocket upgrade written by hand on a plain socket: for the refusals a WebSocket client hides (the status line
 * and headers of a 401 or 429) and for clients that misbehave on purpose (slow, silent, never reading).
 */
public final class RawHttp {
  private RawHttp() {}

  /** An upgrade request for {@code /ws/live} with extra header lines. */
  public static String upgradeRequest(int port, String... headerLines) {
    return upgradeRequestTo(port, "/ws/live", headerLines);
  }

  /** An upgrade request for {@code target} (a path and query) with extra header lines. */
  public static String upgradeRequestTo(int port, String target, String... headerLines) {
    StringBuilder b = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n");
    for (String h : headerLines) {
      b.append(h).append("\r\n");
    }
    return b.append("\r\n").toString();
  }

  /** Sends an upgrade and returns the response's status line and header lines (the connection is then closed). */
  public static List<String> upgrade(int port, String... headerLines) {
    return upgradeTo(port, "/ws/live", headerLines);
  }

  /** As {@link #upgrade}, to {@code target} (a path and query). */
  public static List<String> upgradeTo(int port, String target, String... headerLines) {
    return upgradeFrom("127.0.0.1", port, target, headerLines);
  }

  /** As {@link #upgradeTo}, from the local address {@code from} (another loopback address is another client). */
  public static List<String> upgradeFrom(String from, int port, String target, String... headerLines) {
    try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName(from), 0)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(upgradeRequestTo(port, target, headerLines).getBytes(StandardCharsets.US_ASCII));
      return readHead(s.getInputStream());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Reads a response head: the lines up to the blank one. */
  public static List<String> readHead(InputStream in) throws IOException {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        String l = line.toString().strip();
        if (l.isEmpty()) {
          break;
        }
        lines.add(l);
        line.setLength(0);
      } else {
        line.append((char) c);
      }
    }
    return lines;
  }

  /** Writes a client WebSocket text frame (masked with a zero key, as RFC 6455 allows). */
  public static void writeText(OutputStream out, String text) throws IOException {
    byte[] p = text.getBytes(StandardCharsets.UTF_8);
    out.write(0x81);
    if (p.length < 126) {
      out.write(0x80 | p.length);
    } else {
      out.write(0x80 | 126);
      out.write(p.length >>> 8);
      out.write(p.length & 0xff);
    }
    out.write(new byte[4]);
    out.write(p);
    out.flush();
  }
}
