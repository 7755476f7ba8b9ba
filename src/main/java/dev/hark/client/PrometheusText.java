package dev.hark.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/** A scrape of a Prometheus text endpoint, with series looked up by name and labels. */
public final class PrometheusText {
  private final Map<String, Double> series = new HashMap<>();

  public PrometheusText(String text) {
    for (String line : text.split("\n", -1)) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int sp = line.lastIndexOf(' ');
      try {
        series.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
      } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
        // Not a sample line of the text format; nothing to look up there.
      }
    }
  }

  /** Scrapes {@code url} (e.g. http://127.0.0.1:8080/metrics). */
  public static PrometheusText scrape(HttpClient http, URI url) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(url + " answered " + r.statusCode());
    }
    return new PrometheusText(r.body());
  }

  /** The sum of every series called {@code name} that has all the given label pairs; 0 if none. */
  public double value(String name, String... labels) {
    double sum = 0;
    for (Map.Entry<String, Double> e : series.entrySet()) {
      String key = e.getKey();
      int brace = key.indexOf('{');
      if (!(brace < 0 ? key : key.substring(0, brace)).equals(name)) {
        continue;
      }
      boolean all = true;
      for (int i = 0; i + 1 < labels.length; i += 2) {
        all &= key.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
      }
      if (all) {
        sum += e.getValue();
      }
    }
    return sum;
  }

  /**
   * The {@code q} quantile (0..1) of a histogram from its cumulative {@code _bucket} series, interpolated
   * linearly within the bucket, as Prometheus' histogram_quantile does; NaN when it holds no samples.
   */
  public double quantile(String histogram, double q) {
    return quantile(histogram, q, null);
  }

  /** As {@link #quantile(String, double)}, over what was recorded since {@code baseline} (null for all). */
  public double quantile(String histogram, double q, PrometheusText baseline) {
    NavigableMap<Double, Double> buckets = buckets(histogram);
    if (baseline != null) {
      baseline.buckets(histogram).forEach((le, n) -> buckets.merge(le, -n, Double::sum));
    }
    if (buckets.isEmpty() || buckets.lastEntry().getValue() == 0) {
      return Double.NaN;
    }
    double total = buckets.lastEntry().getValue();
    double rank = q * total;
    double lowerBound = 0;
    double lowerCount = 0;
    for (Map.Entry<Double, Double> b : buckets.entrySet()) {
      if (b.getValue() >= rank) {
        if (b.getKey().isInfinite()) {
          return lowerBound;
        }
        double inBucket = b.getValue() - lowerCount;
        return inBucket == 0 ? b.getKey() : lowerBound + (b.getKey() - lowerBound) * (rank - lowerCount) / inBucket;
      }
      lowerBound = b.getKey();
      lowerCount = b.getValue();
    }
    return lowerBound;
  }

  private NavigableMap<Double, Double> buckets(String histogram) {
    TreeMap<Double, Double> buckets = new TreeMap<>();
    for (Map.Entry<String, Double> e : series.entrySet()) {
      String key = e.getKey();
      if (key.startsWith(histogram + "_bucket{")) {
        int le = key.indexOf("le=\"");
        String bound = key.substring(le + 4, key.indexOf('"', le + 4));
        buckets.merge(bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound), e.getValue(),
            Double::sum);
      }
    }
    return buckets;
  }
}
