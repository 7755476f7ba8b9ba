package dev.hark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hark.asr.AsrEngines;
import dev.hark.asr.AsrSettings;
import dev.hark.asr.NoneEngine;
import dev.hark.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hark stream} run as a user would, against a real server (the example loudness engine answers). */
class StreamCommandTest {
  static TestServer server;
  @TempDir
  static Path dir;

  @BeforeAll
  static void start() {
    server = TestServer.load(m -> AsrEngines.create("loudness", AsrSettings.defaults(), m));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  record Run(int code, String out, String err) {}

  static Run hark(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true));
    System.setErr(new PrintStream(err, true));
    try {
      int code = new CommandLine(new Main()).execute(args);
      return new Run(code, out.toString(), err.toString());
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  String url() {
    return "ws://127.0.0.1:" + server.port() + "/ws/live";
  }

  /** Writes a PCM16 WAV of {@code seconds} of a tone. */
  static Path wav(String name, int rate, int channels, int bits, double seconds) throws IOException {
    int frames = (int) (rate * seconds);
    int bytesPerSample = bits / 8;
    ByteBuffer b = ByteBuffer.allocate(44 + frames * channels * bytesPerSample).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes()).putInt(36 + frames * channels * bytesPerSample).put("WAVE".getBytes());
    b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) channels).putInt(rate)
        .putInt(rate * channels * bytesPerSample).putShort((short) (channels * bytesPerSample)).putShort((short) bits);
    b.put("data".getBytes()).putInt(frames * channels * bytesPerSample);
    for (int i = 0; i < frames * channels; i++) {
      int v = (int) (3000 * Math.sin(i * 0.05));
      for (int k = 0; k < bytesPerSample; k++) {
        b.put((byte) (v >> (8 * k)));
      }
    }
    Path p = dir.resolve(name);
    Files.write(p, b.array());
    return p;
  }

  @Test
  void streamsAWavAndPrintsTranscriptsAndASummary() throws IOException {
    Path f = wav("tone.wav", 16000, 1, 16, 2.0);
    Run r = hark("stream", "--url", url(), "--speed", "max", f.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("[mic 0:00.00-0:01.00] level", "[mic 0:01.00-0:02.00] level");
    assertThat(r.err()).contains("sent 100 frames").contains("server accepted 100, dropped 0");
  }

  @Test
  void severalFilesAreSeveralSourcesAndJsonPrintsEveryMessage() throws IOException {
    Path a = wav("a.wav", 44100, 2, 16, 1.0);
    Path b = wav("b.wav", 44100, 1, 16, 1.0);
    Run r = hark("stream", "--url", url(), "--speed", "max", "--binary", "--json", a + "=left", b.toString());
    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.getFirst()).contains("\"type\":\"ready\"", "\"sample_rate\":44100",
        "\"sources\":[\"left\",\"b\"]");
    assertThat(lines.getLast()).contains("\"type\":\"stopped\"", "\"frames_received\":100", "\"frames_dropped\":0");
    assertThat(lines).anyMatch(l -> l.contains("\"source\":\"left\"") && l.contains("transcript"));
  }

  @Test
  void paceFollowsSpeed() throws IOException {
    Path f = wav("half.wav", 16000, 1, 16, 1.0);
    long t0 = System.nanoTime();
    Run r = hark("stream", "--url", url(), "--speed", "2", f.toString());
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(seconds).isGreaterThanOrEqualTo(0.45);
  }

  @Test
  void badInputsFailWithOneClearLine() throws IOException {
    Path b24 = wav("deep.wav", 16000, 1, 24, 0.1);
    List<Run> runs = new ArrayList<>();
    runs.add(hark("stream", "--url", url(), b24.toString()));
    runs.add(hark("stream", "--url", url(), dir.resolve("missing.wav").toString()));
    runs.add(hark("stream", "--url", url(), wav("r1.wav", 16000, 1, 16, 0.1) + "", wav("r2.wav", 8000, 1, 16, 0.1)
        + ""));
    runs.add(hark("stream", "--url", url()));
    for (Run r : runs) {
      assertThat(r.code()).isEqualTo(2);
      assertThat(r.err().lines().filter(l -> l.startsWith("hark stream: "))).hasSize(1);
    }
    assertThat(runs.getFirst().err()).contains("only 16-bit PCM WAV", "24-bit");
    assertThat(runs.get(2).err()).contains("one sample rate");
  }

  @Test
  void connectionRefusedAndServerRefusalExitOne() throws Exception {
    Path f = wav("x.wav", 16000, 1, 16, 0.1);
    Run refused = hark("stream", "--url", "ws://127.0.0.1:1/ws/live", f.toString());
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err()).contains("connection refused");
    try (TestServer full = TestServer.start(new NoneEngine(0), s -> s.withLimits(4, 1));
        var holder = full.connect()) {
      holder.send("{\"type\":\"ping\"}");
      holder.awaitType("pong");
      Run r = hark("stream", "--url", "ws://127.0.0.1:" + full.port() + "/ws/live", f.toString());
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err()).contains("refused the session: HTTP 503 unavailable: server is full");
    }
  }

  @Test
  void helpDocumentsTheFlags() {
    Run r = hark("stream", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("--url", "--source", "--speed", "--chunk-ms", "--binary", "--json", "--mic");
  }
}
