package dev.hark.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bearer tokens that may open sessions: one per line of a file (blank lines and {@code #} comments skipped),
 * read again whenever the file's size or modification time changes, so tokens are added and revoked without a
 * restart. A file that becomes unreadable or empty admits no one until it is fixed: auth fails closed.
 */
final class TokenFile {
  private static final Logger log = LoggerFactory.getLogger(TokenFile.class);
  private final Path path;
  private volatile Snapshot current;

  private record Snapshot(Object stamp, List<byte[]> tokens) {}

  /** Reads the file once; throws if it cannot be read, so a bad path stops the server at start. */
  TokenFile(Path path) {
    this.path = path;
    try {
      current = read();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read --auth-token-file " + path + ": " + e, e);
    }
    if (current.tokens().isEmpty()) {
      log.warn("--auth-token-file {} holds no token: every session will be refused until one is added", path);
    }
  }

  /** Whether {@code token} is one of the file's tokens, compared in constant time. */
  boolean accepts(String token) {
    if (token == null || token.isEmpty()) {
      return false;
    }
    byte[] given = token.getBytes(StandardCharsets.UTF_8);
    boolean found = false;
    for (byte[] t : fresh().tokens()) {
      found |= MessageDigest.isEqual(t, given);
    }
    return found;
  }

  private Snapshot fresh() {
    Snapshot s = current;
    try {
      Object stamp = stamp();
      if (!stamp.equals(s.stamp())) {
        synchronized (this) {
          if (!stamp.equals(current.stamp())) {
            current = read();
            log.info("--auth-token-file {} reloaded: {} token(s)", path, current.tokens().size());
          }
          s = current;
        }
      }
    } catch (IOException e) {
      if (!s.tokens().isEmpty()) {
        log.warn("--auth-token-file {} unreadable ({}): refusing every session until it is back", path, e.toString());
      }
      s = new Snapshot(null, List.of());
      current = s;
    }
    return s;
  }

  private Object stamp() throws IOException {
    return FileStamp.of(path);
  }

  private Snapshot read() throws IOException {
    Object stamp = stamp();
    List<byte[]> tokens = new ArrayList<>();
    for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
      String t = line.strip();
      if (!t.isEmpty() && !t.startsWith("#")) {
        tokens.add(t.getBytes(StandardCharsets.UTF_8));
      }
    }
    return new Snapshot(stamp, List.copyOf(tokens));
  }
}
