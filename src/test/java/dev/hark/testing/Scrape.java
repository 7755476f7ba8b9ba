package dev.hark.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

/** Reads the real {@code /metrics} over HTTP and looks series up by name and labels. */
public final class Scrape {
  private final Map<String, Double> series = new HashMap<>();
  private final String text;

  private Scrape(String text) {
    this.text = text;
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int sp = line.lastIndexOf(' ');
      series.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
    }
  }

  public static Scrape of(int port) {
    return new Scrape(get(port, "/metrics").body());
  }

  public static HttpResponse<String> get(int port, String path) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("GET " + path + " failed", e);
    }
  }

  /** The value of a series, e.g. {@code value("audio_frames_dropped_total", "reason", "drop_oldest", "source", "mic")}; 0 if absent. Labels in any order. */
  public double value(String name, String... labels) {
    double sum = 0;
    boolean found = false;
    for (Map.Entry<String, Double> e : series.entrySet()) {
      String key = e.getKey();
      String base = key.contains("{") ? key.substring(0, key.indexOf('{')) : key;
      if (!base.equals(name)) {
        continue;
      }
      boolean all = true;
      for (int i = 0; i < labels.length; i += 2) {
        if (!key.contains(labels[i] + "=\"" + labels[i + 1] + "\"")) {
          all = false;
        }
      }
      if (all) {
        sum += e.getValue();
        found = true;
      }
    }
    return found ? sum : 0;
  }

  public long count(String name, String... labels) {
    return Math.round(value(name, labels));
  }

  public String text() {
    return text;
  }
}
