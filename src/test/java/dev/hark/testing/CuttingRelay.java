package dev.hark.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP relay in front of a server that a test can cut: every connection through it is torn down at once, both
 * ways, with a reset (as a network fault would), while the relay goes on taking new connections. Bytes pass
 * untouched, so anything (HTTP, WebSocket, TLS) goes through.
 */
public final class CuttingRelay implements AutoCloseable {
  private final ServerSocket listener;
  private final int target;
  private final List<Socket> open = new ArrayList<>();
  private int cuts;

  public CuttingRelay(int targetPort) {
    this.target = targetPort;
    try {
      listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread.ofPlatform().daemon().name("relay-accept").start(this::accept);
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Connections cut so far. */
  public synchronized int cuts() {
    return cuts;
  }

  /** Resets every connection now open through the relay; returns how many there were. */
  public synchronized int cut() {
    int n = open.size() / 2;
    for (Socket s : open) {
      try {
        s.setSoLinger(true, 0); // close with RST: no FIN, no close frame, as when a link dies
        s.close();
      } catch (IOException e) {
        // already gone
      }
    }
    open.clear();
    cuts += n;
    return n;
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        synchronized (this) {
          open.add(client);
          open.add(server);
        }
        Thread.ofPlatform().daemon().name("relay-up").start(() -> pump(client, server));
        Thread.ofPlatform().daemon().name("relay-down").start(() -> pump(server, client));
      } catch (SocketException e) {
        return; // closed
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void pump(Socket from, Socket to) {
    byte[] buf = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // cut, or the other side closed: the other pump sees it too
    } finally {
      try {
        to.close();
      } catch (IOException e) {
        // already gone
      }
    }
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    cut();
  }
}
