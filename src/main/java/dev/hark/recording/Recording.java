package dev.hark.recording;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's {@code --record} files: each accepted chunk of each source is appended to
 * {@code DIR/<session>-<source>.wav} before it is queued, so overload never loses what was recorded. A source whose
 * file fails (disk full, say) stops recording and says so once; its audio still goes to the recognizer.
 * With no directory it records nothing. Appends come from the session's thread, {@code finish} from whichever
 * thread ends the session; the files are finished on a thread of their own.
 */
public final class Recording {
  private static final Logger log = LoggerFactory.getLogger(Recording.class);
  private final Path dir;
  private final String sessionId;
  private final Map<String, WavFile> files = new HashMap<>();
  private final Set<String> failed = new HashSet<>();

  /** {@code dir} null: record nothing. */
  public Recording(Path dir, String sessionId) {
    this.dir = dir;
    this.sessionId = sessionId;
  }

  /** Appends a chunk; returns the error to report if this source's recording just failed, else null. */
  public String append(String source, byte[] pcm, int sampleRate) {
    return dir == null ? null : appendLocked(source, pcm, sampleRate); // no lock on the hot path when off
  }

  private synchronized String appendLocked(String source, byte[] pcm, int sampleRate) {
    if (failed.contains(source)) {
      return null;
    }
    WavFile f = files.get(source);
    try {
      if (f == null) {
        f = new WavFile(dir.resolve(sessionId + "-" + source + ".wav"), sampleRate);
        files.put(source, f);
      }
      f.append(pcm);
      return null;
    } catch (IOException e) {
      failed.add(source);
      WavFile gone = files.remove(source);
      if (gone != null) {
        gone.abandon();
      }
      log.warn("session={} source={} recording stopped: {}", sessionId, source, e.toString());
      return "recording of this source stopped (" + e.getMessage() + "); its audio is still recognized";
    }
  }

  /**
   * Writes what every file has buffered to the operating system (no fsync): called before audio is acknowledged,
   * so that acknowledged audio is in the files even if this process is killed. Returns the error to report for a
   * source whose recording just failed, else null.
   */
  public String writeBuffered() {
    return dir == null ? null : writeBufferedLocked();
  }

  private synchronized String writeBufferedLocked() {
    for (Map.Entry<String, WavFile> e : Map.copyOf(files).entrySet()) {
      try {
        e.getValue().flush();
      } catch (IOException ex) {
        failed.add(e.getKey());
        files.remove(e.getKey()).abandon();
        log.warn("session={} source={} recording stopped: {}", sessionId, e.getKey(), ex.toString());
        return "recording of " + e.getKey() + " stopped (" + ex.getMessage() + "); its audio is still recognized";
      }
    }
    return null;
  }

  /** Finishes every file (sizes fixed, fsync) off the session's thread; completes when all are on disk. */
  @CanIgnoreReturnValue // a connection that is gone does not wait for its files
  public synchronized CompletableFuture<Void> finish() {
    Map<String, WavFile> open = new HashMap<>(files);
    files.clear();
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (open.isEmpty()) {
      done.complete(null);
      return done;
    }
    Thread.ofVirtual().name("hark-record-" + sessionId).start(() -> {
      open.forEach((source, f) -> {
        try {
          f.finish();
        } catch (IOException e) {
          log.warn("session={} source={} recording could not be finished: {}", sessionId, source, e.toString());
        }
      });
      done.complete(null);
    });
    return done;
  }
}
