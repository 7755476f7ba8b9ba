package dev.hark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hark.testing.Haproxy;
import dev.hark.testing.Scrape;
import dev.hark.testing.ServeProcess;
import dev.hark.testing.Speech;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL of the node that holds a {@code hark stream} session, behind real HAProxy: the client's resume is refused
 * at once (the node's backend is down), it opens a new session on another node within 2 s and sends again what the
 * dead node had not acknowledged, and the stream ends normally. With {@code --record} on a directory the nodes
 * share, every frame is in one of the two sessions' files: what the dead node acknowledged was written before it
 * said so. What the session lost is what the dead node had acknowledged but not yet recognized.
 */
class ClusterKillTest {
  @TempDir
  Path dir;

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void aKilledNodesClientCarriesOnThroughAnotherAndNothingAcknowledgedIsLostFromTheRecordings() throws Exception {
    Haproxy.require();
    Path shared = Files.createDirectories(dir.resolve("recordings"));
    List<ServeProcess> nodes = new ArrayList<>();
    List<Integer> agents = new ArrayList<>();
    try {
      for (int i = 1; i <= 3; i++) {
        int agent = freePort();
        agents.add(agent);
        nodes.add(ServeProcess.start(Files.createDirectories(dir.resolve("node" + i)), List.of(), "--asr", "none",
            "--node-name", "node" + i, "--agent-port", String.valueOf(agent), "--record", shared.toString()));
      }
      try (Haproxy lb = new Haproxy(nodes.stream().map(ServeProcess::port).toList(), agents, 100)) {
        Thread.sleep(2500); // the balancer's first checks
        Speech.Clip clip = Speech.clips().getFirst(); // 7.1 s: 355 frames of 20 ms
        CompletableFuture<StreamCommandTest.Run> run = CompletableFuture.supplyAsync(() ->
            StreamCommandTest.hark("stream", "--url", "ws://127.0.0.1:" + lb.port() + "/ws/live",
                clip.wav().toString()), runnable -> Thread.ofPlatform().daemon().start(runnable));
        ServeProcess owner = await().atMost(Duration.ofSeconds(10)).until(() -> nodes.stream()
            .filter(n -> Scrape.of(n.port()).count("sessions_active") == 1).findFirst().orElse(null),
            n -> n != null);
        Thread.sleep(2000);
        owner.sigkill();
        long killed = System.nanoTime();
        List<ServeProcess> others = nodes.stream().filter(n -> n != owner).toList();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> others.stream()
            .anyMatch(n -> Scrape.of(n.port()).count("sessions_active") == 1));
        Duration toNewSession = Duration.ofNanos(System.nanoTime() - killed);
        StreamCommandTest.Run r = run.get();
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("could not be resumed", "continuing in a new session");
        assertThat(toNewSession).as("from SIGKILL to a new session elsewhere").isLessThan(Duration.ofSeconds(2));
        // Every frame is in one of the two recordings (the dead one's header says 0 bytes: it never finished).
        long recorded = 0;
        List<Long> perFile = new ArrayList<>();
        try (Stream<Path> files = Files.list(shared)) {
          for (Path f : files.toList()) {
            long frames = (Files.size(f) - 44) / 640;
            perFile.add(frames);
            recorded += frames;
          }
        }
        assertThat(perFile).as("one file per session").hasSize(2);
        Matcher acked = Pattern.compile("had acknowledged (\\d+) frames")
            .matcher(r.err());
        assertThat(acked.find()).as(r.err()).isTrue();
        assertThat(perFile).as("the lost session's file holds what it acknowledged")
            .anyMatch(n -> n >= Long.parseLong(acked.group(1)) && n < 355);
        assertThat(recorded).as("frames recorded, " + perFile).isGreaterThanOrEqualTo(355);
        System.out.printf("SIGKILL: new session after %d ms; frames recorded per session %s (355 sent); %s%n",
            toNewSession.toMillis(), perFile, r.err().lines().filter(l -> l.startsWith("sent")).findFirst()
                .orElse(""));
      }
    } finally {
      nodes.forEach(ServeProcess::close);
    }
  }
}
