package dev.hark.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client that never reads what the server sends: a socket with a tiny receive window that writes as fast as
 * the server takes bytes, until it has written its budget, the server cuts it off, or time runs out.
 */
public final class Attacker implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final AtomicLong written = new AtomicLong();
  private volatile boolean cutOff;

  private Attacker(int port) throws IOException {
    socket = new Socket();
    socket.setReceiveBufferSize(4096); // before connect, so the window stays small
    socket.connect(new InetSocketAddress("127.0.0.1", port));
    out = socket.getOutputStream();
  }

  /** A plain HTTP connection. */
  public static Attacker connect(int port) throws IOException {
    return new Attacker(port);
  }

  /** A connection upgraded to a WebSocket (the 101 read; nothing after it ever is). */
  public static Attacker upgraded(int port) throws IOException {
    Attacker a = new Attacker(port);
    a.out.write(RawHttp.upgradeRequest(port).getBytes(StandardCharsets.US_ASCII));
    String status = RawHttp.readHead(a.socket.getInputStream()).get(0);
    if (!status.startsWith("HTTP/1.1 101")) {
      a.close();
      throw new IOException("upgrade refused: " + status);
    }
    return a;
  }

  /** A masked client frame (zero key) with FIN set. */
  public static byte[] frame(int opcode, byte[] payload) {
    int n = payload.length;
    int head = n < 126 ? 2 : n < 65536 ? 4 : 10;
    byte[] f = new byte[head + 4 + n];
    f[0] = (byte) (0x80 | opcode);
    if (n < 126) {
      f[1] = (byte) (0x80 | n);
    } else if (n < 65536) {
      f[1] = (byte) (0x80 | 126);
      f[2] = (byte) (n >>> 8);
      f[3] = (byte) n;
    } else {
      f[1] = (byte) (0x80 | 127);
      for (int i = 0; i < 8; i++) {
        f[9 - i] = (byte) ((long) n >>> (8 * i));
      }
    }
    System.arraycopy(payload, 0, f, head + 4, n);
    return f;
  }

  /** Writes {@code unit} again and again until {@code totalBytes} are written, the server cuts the connection, or
   * {@code seconds} pass; returns the bytes written. */
  public long flood(byte[] unit, long totalBytes, double seconds) throws InterruptedException {
    int repeat = Math.max(1, 65536 / unit.length);
    byte[] batch = new byte[unit.length * repeat];
    for (int i = 0; i < repeat; i++) {
      System.arraycopy(unit, 0, batch, i * unit.length, unit.length);
    }
    Thread writer = Thread.ofPlatform().daemon().start(() -> {
      try {
        while (written.get() < totalBytes) {
          out.write(batch);
          written.addAndGet(batch.length);
        }
        out.flush();
      } catch (IOException e) {
        cutOff = true; // reset or closed by the server
      }
    });
    writer.join((long) (seconds * 1000));
    Thread.sleep(500); // what was written has reached the server and been acted on
    return written.get();
  }

  /** Writes bytes once. */
  public void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** True once the server has closed the connection: a write failed, or a read (of whatever is left) ends. */
  public boolean closedByServer(double seconds) {
    if (cutOff) {
      return true;
    }
    try {
      socket.setSoTimeout(50);
      InputStream in = socket.getInputStream();
      byte[] skip = new byte[65536];
      long deadline = System.nanoTime() + (long) (seconds * 1e9);
      while (System.nanoTime() < deadline) {
        try {
          if (in.read(skip) < 0) {
            return true;
          }
        } catch (SocketTimeoutException e) {
          // still open
        }
      }
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
