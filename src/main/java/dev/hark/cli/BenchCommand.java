package dev.hark.cli;

import dev.hark.client.BenchResult;
import dev.hark.client.BenchRun;
import dev.hark.client.PcmAudio;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hark bench}: a load generator that reports what the server did under it. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Open many concurrent sessions from this process and report frames sent and dropped,",
        "backpressure, refusals, stop-to-stopped latency, the server's queue wait (from its /metrics) and",
        "the server's CPU per frame (from /proc with --server-pid, else from its /metrics)."})
final class BenchCommand implements Callable<Integer> {
  @Mixin
  ServerOptions server;

  @Option(names = "--metrics-url", paramLabel = "URL", description = "The server's metrics (default: /metrics on "
      + "the --url host).")
  URI metricsUrl;

  @Option(names = "--sessions", defaultValue = "100", paramLabel = "N", description = "Concurrent sessions "
      + "(default: ${DEFAULT-VALUE}).")
  int sessions;

  @Option(names = "--sources", defaultValue = "2", paramLabel = "N", description = "Sources per session (default: "
      + "${DEFAULT-VALUE}).")
  int sources;

  @Option(names = "--duration", defaultValue = "30s", paramLabel = "TIME", description = "Audio each session sends, "
      + "e.g. 30s, 2m (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(names = "--ramp", defaultValue = "0s", paramLabel = "TIME", description = "Spread session starts over "
      + "this time (default: ${DEFAULT-VALUE}).")
  String ramp;

  @Option(names = "--paced", description = "Send in real time: one chunk per source every --chunk-ms (the default).")
  boolean paced;

  @Option(names = "--flat", description = "Send as fast as the server takes it.")
  boolean flat;

  @Option(names = "--binary", description = "Binary frames instead of Base64 JSON.")
  boolean binary;

  @Option(names = "--chunk-ms", defaultValue = "20", paramLabel = "MS", description = "Audio per message (default: "
      + "${DEFAULT-VALUE}).")
  int chunkMs;

  @Option(names = "--file", paramLabel = "WAV", description = {"Send this audio instead of a synthetic tone; repeat the"
      + " option to send several files one after another. The whole is looped."})
  List<Path> files = new ArrayList<>();

  @Option(names = "--pause", defaultValue = "0ms", paramLabel = "TIME",
      description = "Silence after each --file, as between utterances (default: ${DEFAULT-VALUE}).")
  String pause;

  @Option(names = "--reference", paramLabel = "TSV", description = {"Count word errors: lines of 'FILE-NAME<TAB>words'"
      + " (name without .wav) giving each --file's words. The duration is rounded up to whole passes of the files."})
  Path reference;

  @Option(names = "--server-pid", paramLabel = "PID", description = "Read the server's CPU time from /proc/PID/stat.")
  Long serverPid;

  @Option(names = "--idle", description = "Sessions send start and then no audio until the end (heap per idle "
      + "session).")
  boolean idle;

  @Option(names = "--peer", description = "The server is a peer: it speaks only the audio message (no ready, no "
      + "stopped), as a bare Netty sink or the Python original do.")
  boolean peer;

  @Option(names = "--json", description = "Print the result as one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if ((paced && flat) || (idle && peer)) {
      return fail("--paced and --flat exclude each other, and so do --idle and --peer");
    }
    Duration d;
    Duration r;
    Duration gap;
    try {
      d = parse(duration);
      r = parse(ramp);
      gap = parse(pause);
    } catch (IllegalArgumentException e) {
      return fail(e.getMessage());
    }
    URI url = server.url;
    if (!"ws".equals(url.getScheme())) {
      return fail("--url must be ws://HOST:PORT/PATH: the load generator speaks no TLS (measure the server, not a "
          + "proxy), got " + url);
    }
    if (sessions < 1 || sources < 1 || sources > 255 || chunkMs < 1 || d.isZero()) {
      return fail("--sessions, --sources (1-255), --chunk-ms and --duration must be positive");
    }
    if (reference != null && files.isEmpty()) {
      return fail("--reference needs --file");
    }
    PcmAudio audio = null;
    String words = null;
    if (!files.isEmpty()) {
      try {
        List<PcmAudio> parts = new ArrayList<>();
        for (Path f : files) {
          parts.add(PcmAudio.read(f, 16000));
        }
        audio = PcmAudio.concat(parts, (int) gap.toMillis());
        words = reference == null ? null : ReferenceText.of(reference, files);
      } catch (PcmAudio.BadAudioException | ReferenceText.MissingException e) {
        return fail(e.getMessage());
      }
      if (words != null) {
        long passes = (d.toMillis() + audio.durationMs() - 1) / audio.durationMs();
        d = Duration.ofMillis(passes * audio.durationMs());
      }
    }
    URI metrics = metricsUrl != null ? metricsUrl
        : URI.create("http://" + url.getAuthority() + "/metrics");
    BenchRun.Mode mode = idle ? BenchRun.Mode.IDLE : peer ? BenchRun.Mode.PEER : BenchRun.Mode.FULL;
    BenchRun run = new BenchRun(new BenchRun.Config(url, metrics, sessions, sources, d, !flat, binary, r, chunkMs,
        serverPid, audio, mode, server.token(), words));
    boolean terminal = Terminal.interactive() && !json;
    BenchResult result = run.run(terminal ? line -> System.err.print("\r\033[K" + line) : null);
    if (terminal) {
      System.err.println();
    }
    System.out.print(json ? result.json() + "\n" : result.table());
    String statuses = (String) result.values().get("refused_http_statuses");
    if (statuses.contains("429:")) {
      System.err.println("hark bench: the server refused sessions with 429: it admits few sessions from one address;"
          + " start it with --max-sessions-per-ip above --sessions");
    }
    long connected = (long) result.values().get("sessions_connected");
    return connected == 0 ? 1 : 0;
  }

  static Duration parse(String s) {
    try {
      if (s.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      }
      long n = Long.parseLong(s.substring(0, s.length() - 1));
      return switch (s.charAt(s.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        default -> throw new IllegalArgumentException("a time like 30s, 500ms or 2m, got " + s);
      };
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new IllegalArgumentException("a time like 30s, 500ms or 2m, got " + s);
    }
  }

  private static int fail(String message) {
    System.err.println("hark bench: " + message);
    return 2;
  }
}
