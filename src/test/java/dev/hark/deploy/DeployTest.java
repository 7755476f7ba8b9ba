package dev.hark.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hark.asr.NoneEngine;
import dev.hark.server.ServerConfig;
import dev.hark.testing.Pcm;
import dev.hark.testing.TestServer;
import dev.hark.testing.WsClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code deploy/} ships, checked by the tools that will run it: the alert rules fire on their synthetic test
 * series ({@code promtool test rules}), the Prometheus configuration loads, the systemd unit verifies, and every
 * metric the rules and the Grafana dashboard name is one a real node exports (or, for counters made on first use,
 * one docs/protocol.md lists). {@code .ci/run} installs the tools; elsewhere a missing one skips its check.
 */
class DeployTest {
  private static final Path DEPLOY = Path.of("deploy");
  private static final Pattern METRIC = Pattern.compile("\\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\\b");
  private static final Set<String> NOT_METRICS = Set.of("histogram_quantile");

  @TempDir
  Path dir;

  private static void requireTool(String path) {
    boolean present = Files.isExecutable(Path.of(path));
    if (!present && "1".equals(System.getenv("HARK_REQUIRE_CLUSTER"))) {
      fail(path + " missing: .ci/run installs it from Debian");
    }
    assumeTrue(present, path + " missing: check skipped");
  }

  private static String run(Path workDir, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + ":\n" + out).isZero();
    return out;
  }

  @Test
  void theAlertRulesFireOnTheirTestSeriesAndTheScrapeConfigLoads() throws Exception {
    requireTool("/usr/bin/promtool");
    Path prom = DEPLOY.resolve("prometheus");
    assertThat(run(prom, "promtool", "test", "rules", "hark-alerts.test.yml")).contains("SUCCESS");
    assertThat(run(prom, "promtool", "check", "config", "prometheus.yml")).contains("SUCCESS: 6 rules found");
  }

  /** The balancer's own refusals read like a node's: Hark's error shape, and Retry-After. */
  @Test
  void theBalancersErrorFilesAreInHarksShape() throws Exception {
    for (String status : List.of("503", "429")) {
      String file = Files.readString(DEPLOY.resolve("errors/" + status + ".http"));
      assertThat(file).startsWith("HTTP/1.1 " + status).contains("Retry-After: 5", "Content-Type: application/json");
      JsonNode body = new ObjectMapper().readTree(file.substring(file.indexOf("\n\n") + 2));
      assertThat(body.path("type").asText()).isEqualTo("error");
      assertThat(body.path("code").asText()).isNotEmpty();
      assertThat(body.path("message").asText()).isNotEmpty();
    }
  }

  @Test
  void theSystemdUnitVerifies() throws Exception {
    requireTool("/usr/bin/systemd-analyze");
    // verify also checks that ExecStart exists: point it at this checkout's launcher instead of /opt/hark.
    String unit = Files.readString(DEPLOY.resolve("hark.service"))
        .replace("/opt/hark/hark", Path.of("hark").toAbsolutePath().toString());
    Path copy = Files.writeString(dir.resolve("hark.service"), unit);
    assertThat(run(dir, "systemd-analyze", "verify", copy.toString())).isBlank();
  }

  @Test
  void everyMetricTheRulesAndTheDashboardNameExists() throws Exception {
    List<String> exprs = new ArrayList<>();
    for (String line : Files.readAllLines(DEPLOY.resolve("prometheus/hark-alerts.yml"))) {
      if (!line.strip().startsWith("#") && !line.contains("summary:") && !line.contains("description:")) {
        exprs.add(line);
      }
    }
    JsonNode dashboard = new ObjectMapper().readTree(DEPLOY.resolve("grafana/hark-dashboard.json").toFile());
    for (JsonNode panel : dashboard.path("panels")) {
      panel.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
    }
    Set<String> named = new TreeSet<>();
    for (String e : exprs) {
      Matcher m = METRIC.matcher(e.replaceAll("\\{[^}]*}", ""));
      while (m.find()) {
        if (!NOT_METRICS.contains(m.group(1))) {
          named.add(m.group(1));
        }
      }
    }
    assertThat(named).contains("asr_decoding_busy_seconds_total", "audio_frames_dropped_total");
    String exported = scrapeAfterSomeTraffic();
    String documented = Files.readString(Path.of("docs/protocol.md"));
    for (String metric : named) {
      String base = metric.replaceAll("_bucket$", "");
      assertThat(exported.contains("\n" + metric) || documented.contains("`" + base))
          .as(metric + " is neither exported by a node nor listed in docs/protocol.md").isTrue();
    }
  }

  /** A node's /metrics after a session with audio, so that per-source meters exist. */
  private static String scrapeAfterSomeTraffic() throws Exception {
    try (TestServer server = TestServer.start(new NoneEngine(0), ServerConfig.defaults());
        WsClient c = server.connect()) {
      c.send("{\"type\":\"start\",\"sources\":[\"mic\"]}").awaitType("ready");
      c.send(WsClient.audioJson("mic", Pcm.chunk(0), 0));
      c.send("{\"type\":\"stop\"}").awaitType("stopped");
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      return "\n" + r.body();
    }
  }
}
