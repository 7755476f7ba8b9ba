package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hark.asr.NoneEngine;
import dev.hark.testing.Burst;
import dev.hark.testing.Haproxy;
import dev.hark.testing.Pcm;
import dev.hark.testing.RawHttp;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Behind real HAProxy, a node whose recognizer's capacity is promised tells the balancer {@code drain} through its
 * agent check (from its reservations, not a measurement) and gets no new session while its own go on; when they end
 * it says {@code ready up} and takes sessions again. A burst of more than the cluster can carry, arriving at once,
 * is taken as far as it fits on each node, the rest refused, and no session taken loses audio. And the per-address
 * limit holds across the nodes, as the per-token one does.
 */
class ClusterCapacityTest {
  /** The agent check's one line. */
  private static String agentSays(int port) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port); InputStream in = s.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
    }
  }

  private static List<TestServer> nodes(NoneEngine first) {
    return nodes(first, new NoneEngine(0));
  }

  private static List<TestServer> nodes(NoneEngine first, NoneEngine others) {
    List<TestServer> nodes = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      String name = "node" + i;
      ServerConfig d = ServerConfig.defaults();
      // One decoding thread each: 0.85 of a core may be promised.
      nodes.add(TestServer.start(i == 1 ? first : others, ServerConfig.create(c -> {
        c.nodeName = name;
        c.agentPort = 0;
        c.asr = d.asr().withWorkers(1).withShedding(300, true);
      })));
    }
    return nodes;
  }

  private static Thread stream(WsClient c, AtomicBoolean stop) {
    return Thread.ofPlatform().daemon().start(() -> {
      long t0 = System.nanoTime();
      for (int n = 0; !stop.get() && n < 1500; n++) {
        c.sendAsync(WsClient.audioJson("mic", Pcm.chunk(n), n)).join();
        long wait = t0 + (n + 1) * 20_000_000L - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      }
    });
  }

  @Test
  void aNodeWithItsRecognizerSaturatedDrainsAndComesBack() throws Exception {
    Haproxy.require();
    List<TestServer> nodes = nodes(new NoneEngine(0.8));
    AtomicBoolean stop = new AtomicBoolean();
    try (Haproxy lb = new Haproxy(nodes.stream().map(TestServer::port).toList(),
        nodes.stream().map(n -> n.server().agentPort()).toList(), 100)) {
      int agent = nodes.getFirst().server().agentPort();
      assertThat(agentSays(agent)).startsWith("ready up ");
      // A real-time stream of 0.8 straight to node1 promises its one decoding thread: no other fits beside it.
      List<WsClient> load = List.of(nodes.getFirst().connect());
      List<Thread> senders = new ArrayList<>();
      for (WsClient c : load) {
        c.send("{\"type\":\"start\",\"sources\":[\"mic\"]}").awaitType("ready");
        senders.add(stream(c, stop));
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> agentSays(agent).equals("drain #at_capacity"));
      Thread.sleep(2500); // the balancer has heard it
      for (int i = 0; i < 6; i++) {
        try (WsClient c = WsClient.connect(lb.port(), "/ws/live", List.of())) {
          String id = c.send("{\"type\":\"start\"}").awaitType("ready").path("session_id").asText();
          assertThat(id).as("a saturated node gets no new session").doesNotStartWith("node1.");
        }
      }
      stop.set(true);
      for (Thread t : senders) {
        t.join();
      }
      load.forEach(WsClient::close);
      await().atMost(Duration.ofSeconds(20)).until(() -> agentSays(agent).startsWith("ready up "));
    } finally {
      stop.set(true);
      nodes.forEach(TestServer::close);
    }
  }

  @Test
  void aBurstOfMoreThanTheClusterCarriesIsTakenAsFarAsItFitsAndNoSessionLosesAudio() throws Exception {
    Haproxy.require();
    // Expected 0.25 a stream on 0.85 of a core: three a node, nine in all; twelve arrive at once. They truly cost
    // 0.1 (a sleep), so what a busy machine adds to each turn's time does not make them cost more than was promised.
    List<TestServer> nodes = nodes(new NoneEngine(0.1, 0.25), new NoneEngine(0.1, 0.25));
    AtomicBoolean stop = new AtomicBoolean();
    try (Haproxy lb = new Haproxy(nodes.stream().map(TestServer::port).toList(),
        nodes.stream().map(n -> n.server().agentPort()).toList(), 100)) {
      Thread.sleep(2500); // the balancer has seen every node up
      Burst burst = Burst.of(12, () -> WsClient.connect(lb.port(), "/ws/live", List.of()));
      List<WsClient> taken = burst.taken();
      assertThat(taken).hasSize(9);
      assertThat(burst.refused()).hasSize(3).containsOnly(503);
      Map<String, Integer> perNode = new HashMap<>();
      List<Thread> senders = new ArrayList<>();
      for (WsClient c : taken) {
        String id = c.send("{\"type\":\"start\",\"sources\":[\"mic\"]}").awaitType("ready").path("session_id")
            .asText();
        perNode.merge(id.substring(0, id.indexOf('.')), 1, Integer::sum);
        senders.add(stream(c, stop));
      }
      assertThat(perNode).as("each node takes what fits").containsOnly(entry("node1", 3), entry("node2", 3),
          entry("node3", 3));
      Thread.sleep(2000);
      stop.set(true);
      for (Thread t : senders) {
        t.join();
      }
      for (WsClient c : taken) {
        c.send("{\"type\":\"stop\"}");
        JsonNode stats = c.await(m -> m.path("type").asText().equals("stopped"), Duration.ofSeconds(30))
            .path("stats");
        assertThat(c.seen("status", "source_dropped")).isEmpty();
        assertThat(stats.path("frames_dropped").asLong()).as("no session taken loses audio: %s", stats).isZero();
        c.close();
      }
    } finally {
      stop.set(true);
      nodes.forEach(TestServer::close);
    }
  }

  @Test
  void thePerAddressLimitHoldsAcrossTheNodes() throws Exception {
    Haproxy.require();
    List<TestServer> nodes = nodes(new NoneEngine(0));
    try (Haproxy lb = new Haproxy(nodes.stream().map(TestServer::port).toList(),
        nodes.stream().map(n -> n.server().agentPort()).toList(), 100, 3)) {
      Thread.sleep(2500);
      List<WsClient> open = new ArrayList<>();
      List<String> placed = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        WsClient c = WsClient.connect(lb.port(), "/ws/live", List.of());
        String id = c.send("{\"type\":\"start\"}").awaitType("ready").path("session_id").asText();
        placed.add(id.substring(0, id.indexOf('.')));
        open.add(c);
      }
      assertThat(placed).as("no node alone sees three").doesNotHaveDuplicates();
      assertThat(RawHttp.upgradeTo(lb.port(), "/ws/live").getFirst()).contains(" 429 ");
      open.getFirst().close();
      await().atMost(Duration.ofSeconds(5)).until(() -> RawHttp.upgradeTo(lb.port(), "/ws/live").getFirst()
          .contains(" 101 "));
      open.forEach(WsClient::close);
    } finally {
      nodes.forEach(TestServer::close);
    }
  }
}
