package dev.hark.cli;

import dev.hark.client.JsonObjects;
import dev.hark.client.Messages;
import dev.hark.client.PcmAudio;
import dev.hark.client.ResumableSocket;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hark stream}: streams WAV/raw files (or the microphone) to a Hark server and prints what comes back. */
@Command(name = "stream", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Stream audio files (or the microphone) to a Hark server and print the transcripts.",
        "Each FILE is a source of one session; name it FILE=SOURCE, or the single file takes --source and",
        "further files their base names. WAV must be 16-bit PCM (any rate 8-48 kHz, channels are mixed",
        "down); other files are raw PCM16 mono at --rate."},
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:the session ended with stopped", "1:cannot connect, or the server refused the session",
        "2:bad file or arguments", "3:the server sent an error or closed the session abnormally"})
final class StreamCommand implements Callable<Integer> {
  /** Unacknowledged audio kept per source, to send again after a resume. */
  static final long KEEP_MS = 10_000;
  /** How long a lost connection is retried: the server's default resume window. */
  static final Duration RESUME_FOR = Duration.ofSeconds(30);

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Mixin
  ServerOptions server;

  @Option(names = "--source", defaultValue = "mic", description = "Source name of a single file or the microphone "
      + "(default: ${DEFAULT-VALUE}).")
  String source;

  @Option(names = "--speed", defaultValue = "1.0", paramLabel = "X|max",
      description = "Times real time, or max for as fast as the server takes it (default: ${DEFAULT-VALUE}).")
  String speed;

  @Option(names = "--chunk-ms", defaultValue = "20", paramLabel = "MS", description = "Audio per message (default: "
      + "${DEFAULT-VALUE}).")
  int chunkMs;

  @Option(names = "--binary", description = "Send binary frames instead of Base64 JSON.")
  boolean binary;

  @Option(names = "--overflow", paramLabel = "POLICY",
      description = "Ask for drop_oldest, drop_newest or block (default: block with --speed max, else the server's).")
  String overflow;

  @Option(names = "--rate", defaultValue = "16000", paramLabel = "HZ", description = "Sample rate of raw PCM files "
      + "(default: ${DEFAULT-VALUE}).")
  int rawRate;

  @Option(names = "--json", description = "Print every server message as a JSON line on stdout.")
  boolean json;

  @Option(names = "--mic", description = "Capture the default microphone (16 kHz mono) until Ctrl-C.")
  boolean mic;

  @Parameters(paramLabel = "FILE[=SOURCE]", arity = "0..*", description = "Audio files.")
  List<String> files = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    double pace;
    try {
      pace = speed.equals("max") ? 0 : Double.parseDouble(speed);
    } catch (NumberFormatException e) {
      return fail(2, "--speed must be a number or max, got " + speed);
    }
    if (pace == 0 && overflow == null) {
      overflow = "block";  // as fast as the server takes it: let TCP pace us rather than lose audio
    }
    if (pace < 0 || chunkMs < 1 || chunkMs > 1000) {
      return fail(2, "--speed must be positive and --chunk-ms 1-1000");
    }
    if (mic == !files.isEmpty()) {
      return fail(2, mic ? "give files or --mic, not both" : "give one or more audio files, or --mic");
    }
    List<String> names = new ArrayList<>();
    List<PcmAudio> audio = new ArrayList<>();
    try {
      if (mic) {
        return new MicStream(this).run();
      }
      for (String f : files) {
        int eq = f.lastIndexOf('=');
        String path = eq > 0 ? f.substring(0, eq) : f;
        String name = eq > 0 ? f.substring(eq + 1) : files.size() == 1 ? source : baseName(path);
        if (names.contains(name)) {
          return fail(2, "two files would both be source \"" + name + "\"; name them FILE=SOURCE");
        }
        names.add(name);
        audio.add(PcmAudio.read(Path.of(path), rawRate));
      }
    } catch (PcmAudio.BadAudioException e) {
      return fail(2, e.getMessage());
    }
    int rate = audio.getFirst().sampleRate();
    for (PcmAudio a : audio) {
      if (a.sampleRate() != rate) {
        return fail(2, "all files of a session need one sample rate; got " + rate + " and " + a.sampleRate() + " Hz");
      }
    }
    if (rate < 8000 || rate > 48000) {
      return fail(2, "the server takes 8000-48000 Hz, the files are " + rate + " Hz; convert: sox IN -r 16000 OUT.wav");
    }
    return session(names, audio, rate, pace, out);
  }

  private int session(List<String> names, List<PcmAudio> audio, int rate, double pace, PrintStream out) {
    SessionPrinter printer = new SessionPrinter(out, System.err, json, Terminal.interactive());
    long t0 = System.nanoTime();
    ResumableSocket ws;
    try {
      ws = open(printer, Messages.start(rate, names, overflow));
    } catch (CompletionException e) {
      return fail(1, connectFailure(e.getCause()));
    }
    if (!printer.awaitReady(30)) {
      return fail(printer.closed() ? 1 : 3, "the server did not answer start with ready" + printer.why());
    }
    int chunkBytes = Math.max(2, rate * chunkMs / 1000 * 2);
    int longest = audio.stream().mapToInt(a -> a.pcm().length).max().orElse(0);
    long sent = 0;
    // Never faster than 90% of the server's message rate limit, or --speed max would lose audio to rate_limited.
    long limit = printer.maxMessagesPerSecond();
    long floorNanos = limit > 0 ? (long) (names.size() * 1e9 / (0.9 * limit)) : 0;
    long tickNanos = Math.max(pace > 0 ? (long) (chunkMs * 1_000_000L / pace) : 0, floorNanos);
    for (int at = 0, n = 0; at < longest && !printer.closed(); at += chunkBytes, n++) {
      for (int s = 0; s < names.size(); s++) {
        byte[] pcm = audio.get(s).pcm();
        if (at < pcm.length) {
          int end = Math.min(pcm.length, at + chunkBytes);
          long ms = (end - at) / 2 * 1000L / rate;
          ws.audio(names.get(s), n, binary ? Messages.binary(s, pcm, at, end)
              : Messages.audio(names.get(s), pcm, at, end, n), ms);
          sent++;
        }
      }
      if (tickNanos > 0) {
        long due = t0 + (n + 1) * tickNanos;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      }
    }
    if (!printer.closed()) {
      ws.text(Messages.STOP);
    }
    Map<String, Object> stats = printer.awaitStopped(longest / 2 * 1000L / rate / 1000 + 120);
    double wall = (System.nanoTime() - t0) / 1e9;
    if (stats == null) {
      return fail(3, "the session ended without stopped" + printer.why());
    }
    System.err.printf("sent %d frames in %.1f s; server accepted %d, dropped %d%s%s%s%n", sent, wall,
        JsonObjects.num(stats, "frames_accepted"), JsonObjects.num(stats, "frames_dropped"),
        printer.resumes() > 0 ? "; resumed after " + printer.resumes() + " lost connection(s)" : "",
        printer.renewals() > 0 ? " (the last session's counts: " + printer.renewals() + " could not be resumed)" : "",
        printer.errors() > 0 ? "; " + printer.errors() + " error(s) from the server" : "");
    return printer.errors() > 0 ? 3 : 0;
  }

  /**
   * Connects and sends {@code start}: the socket resumes the session by itself after a lost connection, keeping
   * {@link #KEEP_MS} of unacknowledged audio per source to send again. Throws what the connection attempt threw.
   */
  ResumableSocket open(SessionPrinter printer, String start) {
    ResumableSocket s = new ResumableSocket(server.url, this::socketBuilder, printer, KEEP_MS, RESUME_FOR);
    s.open(start);
    return s;
  }

  String connectFailure(Throwable cause) {
    if (cause instanceof WebSocketHandshakeException h) {
      // Hark's refusals are {"type":"error","code":...,"message":...}; another server's body is shown as it is.
      String why = h.getResponse().body() instanceof String s ? s.strip() : "";
      Map<String, Object> error = JsonObjects.parse(why);
      if (error.get("code") instanceof String code && error.get("message") instanceof String message) {
        why = code + ": " + message;
      }
      return "the server refused the session: HTTP " + h.getResponse().statusCode() + (why.isEmpty() ? "" : " " + why);
    }
    if (cause instanceof ConnectException) {
      return "cannot connect to " + server.url + ": connection refused";
    }
    return "cannot connect to " + server.url + ": " + cause;
  }

  int fail(int code, String message) {
    System.err.println("hark stream: " + message);
    return code;
  }

  static String baseName(String path) {
    String n = Path.of(path).getFileName().toString();
    int dot = n.lastIndexOf('.');
    String base = (dot > 0 ? n.substring(0, dot) : n).replaceAll("[^A-Za-z0-9_.-]", "_");
    return base.length() > 32 ? base.substring(0, 32) : base;
  }

  URI url() {
    return server.url;
  }

  /** A WebSocket builder that carries the token, if one was given. */
  WebSocket.Builder socketBuilder() {
    WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder();
    return server.token() == null ? b : b.header("Authorization", "Bearer " + server.token());
  }

  String source() {
    return source;
  }

  boolean json() {
    return json;
  }

  String overflow() {
    return overflow;
  }
}
