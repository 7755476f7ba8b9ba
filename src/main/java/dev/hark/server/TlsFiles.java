package dev.hark.server;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS certificate chain and private key (PEM files), read again when either file changes, so a
 * renewed certificate is served to new connections without a restart. A pair that no longer loads (a half-written
 * renewal, say) leaves the last good one in use, and the log says so once per change.
 */
final class TlsFiles {
  private static final Logger log = LoggerFactory.getLogger(TlsFiles.class);
  private final Path cert;
  private final Path key;
  private volatile Loaded current;

  private record Loaded(Object stamp, SslContext context) {}

  /** Loads the pair once; a bad pair stops the server at start, with the reason. */
  TlsFiles(Path cert, Path key) {
    this.cert = cert;
    this.key = key;
    try {
      current = load();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use --tls-cert " + cert + " with --tls-key " + key + ": " + e, e);
    }
  }

  /** The context for a new connection: the files' current pair, or the last good one. */
  SslContext context() {
    Loaded l = current;
    try {
      Object stamp = stamp();
      if (!stamp.equals(l.stamp())) {
        synchronized (this) {
          if (!stamp.equals(current.stamp())) {
            current = load();
            log.info("TLS certificate {} reloaded", cert);
          }
          l = current;
        }
      }
    } catch (IOException e) {
      synchronized (this) {
        try {
          // Remember the stamp that failed, so the warning is said once per change, not once per connection.
          current = new Loaded(stamp(), current.context());
        } catch (IOException unreadable) {
          current = new Loaded(List.of("unreadable"), current.context());
        }
        log.warn("TLS files {} / {} changed but do not load ({}): still serving the previous certificate", cert,
            key, e.toString());
        l = current;
      }
    }
    return l.context();
  }

  private Object stamp() throws IOException {
    return FileStamp.of(cert, key);
  }

  private Loaded load() throws IOException {
    Object stamp = stamp();
    try {
      return new Loaded(stamp, SslContextBuilder.forServer(cert.toFile(), key.toFile()).build());
    } catch (SSLException | IllegalArgumentException e) {
      throw new IOException("not a PEM certificate chain and PKCS#8 private key that match: " + e.getMessage(), e);
    }
  }
}
