package dev.hark.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client that writes any frame at all (invalid UTF-8, reserved bits, odd opcodes, control frames
 * between fragments), for fuzzing; a reader thread collects the server's frames.
 */
public final class RawWs implements AutoCloseable {
  /**
   * One frame from the server: {@code opcode} 1 text, 2 binary, 8 close (payload: code then reason), 9/10 ping/pong.
   */
  public record Frame(int opcode, byte[] payload) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The close code of a close frame. */
    public int closeCode() {
      return payload.length >= 2 ? (payload[0] & 0xff) << 8 | (payload[1] & 0xff) : 1005;
    }
  }

  /** What the reader saw when the connection ended. */
  public static final Frame EOF = new Frame(-1, new byte[0]);

  private final Socket socket;
  private final OutputStream out;
  private final LinkedBlockingQueue<Frame> inbox = new LinkedBlockingQueue<>();

  public RawWs(int port) throws IOException {
    this("127.0.0.1", port, "/ws/live");
  }

  /**
   * Upgrades {@code target} (a path and query) from the local address {@code from}: another loopback address
   * ({@code 127.0.0.2}) is another client to the server.
   */
  public RawWs(String from, int port, String target) throws IOException {
    socket = new Socket(InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName(from), 0);
    socket.setTcpNoDelay(true);
    out = socket.getOutputStream();
    out.write(RawHttp.upgradeRequestTo(port, target).getBytes(StandardCharsets.US_ASCII));
    String status = RawHttp.readHead(socket.getInputStream()).get(0);
    if (!status.startsWith("HTTP/1.1 101")) {
      socket.close();
      throw new IOException("upgrade refused: " + status);
    }
    Thread.ofVirtual().start(this::readLoop);
  }

  public void text(String s) throws IOException {
    frame(true, 1, s.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes one masked frame (zero key) with FIN, opcode and payload as given, and nothing checked. */
  public void frame(boolean fin, int opcode, byte[] payload) throws IOException {
    frame((fin ? 0x80 : 0) | opcode, payload, true);
  }

  /** Writes a frame with this exact first byte (RSV bits included); unmasked if {@code masked} is false. */
  public void frame(int firstByte, byte[] payload, boolean masked) throws IOException {
    int n = payload.length;
    byte[] head;
    int m = masked ? 0x80 : 0;
    if (n < 126) {
      head = new byte[] {(byte) firstByte, (byte) (m | n)};
    } else if (n < 65536) {
      head = new byte[] {(byte) firstByte, (byte) (m | 126), (byte) (n >>> 8), (byte) n};
    } else {
      head = new byte[10];
      head[0] = (byte) firstByte;
      head[1] = (byte) (m | 127);
      for (int i = 0; i < 8; i++) {
        head[9 - i] = (byte) ((long) n >>> (8 * i));
      }
    }
    // One write: a server that closes at the header (as for a one-byte close body) must not meet the rest mid-send.
    byte[] frame = new byte[head.length + (masked ? 4 : 0) + n];
    System.arraycopy(head, 0, frame, 0, head.length);
    System.arraycopy(payload, 0, frame, frame.length - n, n);
    synchronized (out) {
      out.write(frame);
      out.flush();
    }
  }

  /** The next frame from the server within {@code seconds}, or null. */
  public Frame next(long seconds) throws InterruptedException {
    return inbox.poll(seconds, TimeUnit.SECONDS);
  }

  private void readLoop() {
    try {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      while (true) {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long n = b1 & 0x7f;
        if (n == 126) {
          n = in.readUnsignedShort();
        } else if (n == 127) {
          n = in.readLong();
        }
        byte[] p = new byte[(int) n];
        in.readFully(p);
        inbox.add(new Frame(b0 & 0x0f, p));
      }
    } catch (IOException e) {
      inbox.add(EOF);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
