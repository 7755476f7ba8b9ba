package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hark.asr.NoneEngine;
import dev.hark.testing.Haproxy;
import dev.hark.testing.Pcm;
import dev.hark.testing.RawHttp;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three real Hark nodes on loopback behind real HAProxy running {@code deploy/haproxy.cfg}: new sessions go to nodes
 * with room (each node's agent check says its weight, or drain when full), all full is HAProxy's 503 in Hark's
 * shape with Retry-After, a resume reaches the node that holds its session, a per-token limit holds across nodes,
 * and a node shut down drains its sessions while new ones go elsewhere.
 */
class ClusterTest {
  /** Sessions a node takes: small, so that filling the cluster is quick. */
  private static final int PER_NODE = 2;

  private final List<TestServer> nodes = new ArrayList<>();
  private Haproxy lb;

  @BeforeEach
  void startCluster() {
    Haproxy.require();
    for (int i = 1; i <= 3; i++) {
      String name = "node" + i;
      nodes.add(TestServer.start(new NoneEngine(0), ServerConfig.create(c -> {
        c.nodeName = name;
        c.agentPort = 0;
        c.ingest = c.ingest.withLimits(4, PER_NODE);
      })));
    }
    lb = new Haproxy(nodes.stream().map(TestServer::port).toList(),
        nodes.stream().map(n -> n.server().agentPort()).toList(), 2);
    awaitAllUp();
  }

  @AfterEach
  void stopCluster() {
    if (lb != null) {
      lb.close();
    }
    nodes.forEach(TestServer::close);
  }

  /** Waits until the balancer has checked every node (a session lands on each of three in turn). */
  private void awaitAllUp() {
    await().atMost(Duration.ofSeconds(10)).until(() -> RawHttp.upgradeTo(lb.port(), "/ws/live").getFirst()
        .contains(" 101 "));
    sleep(2500); // two rounds of health and agent checks
  }

  private WsClient session(String query) {
    WsClient c = WsClient.connect(lb.port(), "/ws/live" + query, List.of());
    c.send("{\"type\":\"start\",\"sources\":[\"mic\"]}");
    return c;
  }

  private static String node(JsonNode ready) {
    String id = ready.path("session_id").asText();
    return id.substring(0, id.indexOf('.'));
  }

  @Test
  void sessionsGoWhereThereIsRoomAndAFullClusterIsA503InHarksShape() {
    List<WsClient> open = new ArrayList<>();
    List<String> placed = new ArrayList<>();
    for (int i = 0; i < 3 * PER_NODE; i++) {
      WsClient c = session("");
      placed.add(node(c.awaitType("ready")));
      open.add(c);
      sleep(1200); // an agent check in between: each node's weight follows its free slots
    }
    assertThat(placed).containsOnly("node1", "node2", "node3");
    for (String n : List.of("node1", "node2", "node3")) {
      assertThat(placed.stream().filter(n::equals).count()).as(placed.toString()).isEqualTo(PER_NODE);
    }
    sleep(2500); // every node now reports drain, and /readyz 503
    List<String> head = RawHttp.upgradeTo(lb.port(), "/ws/live");
    assertThat(head.getFirst()).contains(" 503 ");
    assertThat(head).anyMatch(h -> h.equalsIgnoreCase("retry-after: 5"));
    // One session ends: its node takes sessions again, and only it.
    WsClient leaving = open.remove(0);
    String freed = placed.getFirst();
    leaving.send("{\"type\":\"stop\"}").awaitType("stopped");
    sleep(2500);
    WsClient next = session("");
    assertThat(node(next.awaitType("ready"))).isEqualTo(freed);
    open.add(next);
    open.forEach(WsClient::close);
  }

  @Test
  void aResumeThroughTheBalancerReachesTheNodeThatHoldsTheSession() {
    for (int i = 0; i < 3; i++) {
      WsClient c = session("");
      JsonNode ready = c.awaitType("ready");
      c.send(WsClient.audioJson("mic", Pcm.chunk(0), 0));
      c.await(m -> m.path("type").asText().equals("ack"), Duration.ofSeconds(5));
      c.abort();
      String id = ready.path("session_id").asText();
      sleep(300);
      try (WsClient again = WsClient.connect(lb.port(), "/ws/live?resume=" + id, List.of())) {
        again.send("{\"type\":\"start\",\"resume\":{\"session_id\":\"" + id + "\",\"token\":\""
            + ready.path("resume_token").asText() + "\"}}");
        JsonNode resumed = again.awaitType("ready");
        assertThat(resumed.path("resumed").asBoolean()).as(id).isTrue();
        assertThat(resumed.path("next_seq").path("mic").asLong()).isEqualTo(1);
        again.send("{\"type\":\"stop\"}").awaitType("stopped");
      }
    }
  }

  @Test
  void aResumeForANodeThatIsGoneIsRefusedAtOnce() {
    WsClient c = session("");
    JsonNode ready = c.awaitType("ready");
    String owner = node(ready);
    c.abort();
    nodes.remove(Integer.parseInt(owner.substring(4)) - 1).close();
    long t0 = System.nanoTime();
    List<String> head = RawHttp.upgradeTo(lb.port(), "/ws/live?resume=" + ready.path("session_id").asText());
    assertThat(head.getFirst()).contains(" 503 ");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void thePerTokenLimitHoldsAcrossTheNodes() {
    WsClient a = session("?token=tenant-a");
    WsClient b = session("?token=tenant-a");
    String n1 = node(a.awaitType("ready"));
    String n2 = node(b.awaitType("ready"));
    assertThat(n1).as("spread over nodes, so no node alone sees the limit").isNotEqualTo(n2);
    List<String> head = RawHttp.upgradeTo(lb.port(), "/ws/live?token=tenant-a");
    assertThat(head.getFirst()).contains(" 429 ");
    try (WsClient other = session("?token=tenant-b")) {
      assertThat(other.awaitType("ready").path("session_id").asText()).isNotEmpty();
    }
    a.close();
    b.close();
  }

  @Test
  void aNodeShutDownDrainsItsSessionsAndNewOnesGoElsewhere() throws Exception {
    WsClient c = session("");
    JsonNode ready = c.awaitType("ready");
    TestServer owner = nodes.remove(Integer.parseInt(node(ready).substring(4)) - 1); // shutdown closes it
    for (int i = 0; i < 50; i++) {
      c.send(WsClient.audioJson("mic", Pcm.chunk(i), i));
    }
    c.await(m -> m.path("type").asText().equals("ack") && m.path("seq").asLong() == 49, Duration.ofSeconds(5));
    CompletableFuture<Void> down = CompletableFuture.runAsync(() -> owner.server().shutdown());
    JsonNode stats = c.awaitType("stopped").path("stats");
    assertThat(stats.path("frames_received").asLong()).isEqualTo(50);
    assertThat(stats.path("frames_dropped").asLong()).isZero();
    down.get();
    sleep(2500);
    for (int i = 0; i < 4; i++) {
      try (WsClient next = session("")) {
        assertThat(node(next.awaitType("ready"))).isNotEqualTo(node(ready));
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
