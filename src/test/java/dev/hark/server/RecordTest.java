package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hark.testing.GateEngine;
import dev.hark.testing.Pcm;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --record keeps every accepted chunk, byte for byte, even while the live queue drops; a failing disk stops only it.
 */
class RecordTest {
  @TempDir
  Path dir;

  private TestServer server(GateEngine gate) {
    ServerConfig d = ServerConfig.defaults();
    // drop_oldest (the default) on a 4-chunk queue: a stalled recognizer makes the live queue drop at once.
    return TestServer.start(gate, d.withRecordDir(dir).withIngest(d.ingest().withQueue(4, 0)));
  }

  @Test
  void theRecordingEqualsTheAudioSentWhileTheQueueDropped() throws Exception {
    GateEngine gate = new GateEngine();
    ByteArrayOutputStream mic = new ByteArrayOutputStream();
    ByteArrayOutputStream system = new ByteArrayOutputStream();
    try (TestServer server = server(gate); WsClient c = server.connect()) {
      String id = c.send("{\"type\":\"start\",\"sources\":[\"mic\",\"system\"]}").awaitType("ready")
          .path("session_id").asText();
      for (int i = 0; i < 60; i++) {
        byte[] a = Pcm.chunk(i);
        byte[] b = Pcm.chunk(1000 + i, 320);
        mic.write(a);
        system.write(b);
        c.send(WsClient.audioJson("mic", a, -1));
        byte[] frame = new byte[b.length + 1];
        frame[0] = 1; // binary frame for source index 1
        System.arraycopy(b, 0, frame, 1, b.length);
        c.sendBinary(frame);
      }
      // The server handles a session's messages in order: once the pong is back, every chunk has met the full queue.
      c.send("{\"type\":\"ping\"}").awaitType("pong");
      gate.open();
      c.send("{\"type\":\"stop\"}");
      JsonNode stats = c.awaitType("stopped").path("stats");
      assertThat(stats.path("frames_dropped").asLong()).as("the live queue dropped").isPositive();
      assertThat(pcmOf(dir.resolve(id + "-mic.wav"), 16000)).isEqualTo(mic.toByteArray());
      assertThat(pcmOf(dir.resolve(id + "-system.wav"), 16000)).isEqualTo(system.toByteArray());
    }
  }

  @Test
  void aRecordingThatCannotBeWrittenIsReportedOnceAndIngestGoesOn() throws Exception {
    GateEngine gate = new GateEngine();
    gate.open();
    try (TestServer server = server(gate); WsClient c = server.connect()) {
      c.send("{\"type\":\"start\",\"sources\":[\"mic\"]}").awaitType("ready");
      Files.delete(dir);
      Files.writeString(dir, "a file where the directory was: every create fails");
      for (int i = 0; i < 20; i++) {
        c.send(WsClient.audioJson("mic", Pcm.chunk(i), -1));
      }
      JsonNode error = c.awaitError("recording_failed");
      assertThat(error.path("source").asText()).isEqualTo("mic");
      c.send("{\"type\":\"stop\"}");
      JsonNode stats = c.awaitType("stopped").path("stats");
      assertThat(stats.path("frames_received").asLong()).isEqualTo(20);
      assertThat(stats.path("frames_accepted").asLong() + stats.path("frames_dropped").asLong()).isEqualTo(20);
      assertThat(c.seen("error", null)).hasSize(1);
      Files.delete(dir);
      Files.createDirectory(dir); // for @TempDir's clean-up
    }
  }

  /** The data chunk of a PCM16 mono WAV whose header must say so, with the right sizes. */
  static byte[] pcmOf(Path wav, int rate) throws Exception {
    byte[] all = Files.readAllBytes(wav);
    ByteBuffer h = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(new String(all, 0, 4, "US-ASCII")).isEqualTo("RIFF");
    assertThat(h.getInt(4)).isEqualTo(all.length - 8);
    assertThat(h.getShort(22)).as("channels").isEqualTo((short) 1);
    assertThat(h.getInt(24)).as("rate").isEqualTo(rate);
    assertThat(h.getShort(34)).as("bits").isEqualTo((short) 16);
    assertThat(new String(all, 36, 4, "US-ASCII")).isEqualTo("data");
    assertThat(h.getInt(40)).isEqualTo(all.length - 44);
    return Arrays.copyOfRange(all, 44, all.length);
  }
}
