package dev.hark.testing;

import dev.hark.client.PrometheusText;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Reads the real {@code /metrics} over HTTP and looks series up by name and labels. */
public final class Scrape {
  private final PrometheusText text;

  private Scrape(String body) {
    this.text = new PrometheusText(body);
  }

  /** A {@code /metrics} body fetched some other way (over TLS, say). */
  public static Scrape parse(String body) {
    return new Scrape(body);
  }

  public static Scrape of(int port) {
    return new Scrape(get(port, "/metrics").body());
  }

  public static HttpResponse<String> get(int port, String path) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
          + path)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("GET " + path + " failed", e);
    }
  }

  /** The value of a series, e.g. {@code value("audio_frames_dropped_total", "reason", "drop_oldest")}; 0 if absent. */
  public double value(String name, String... labels) {
    return text.value(name, labels);
  }

  public long count(String name, String... labels) {
    return Math.round(value(name, labels));
  }
}
