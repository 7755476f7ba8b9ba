package dev.hark.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/** The browser page's files, read from the jar once at start-up and served from memory. */
final class StaticFiles {
  /** A file's bytes and its Content-Type. */
  record File(byte[] bytes, String type) {}

  private static final Map<String, String> FILES = Map.of(
      "/", "index.html",
      "/index.html", "index.html",
      "/app.js", "app.js",
      "/app.css", "app.css",
      "/pcm-worklet.js", "pcm-worklet.js",
      "/favicon.svg", "favicon.svg");

  private final Map<String, File> byPath;

  StaticFiles() {
    var loaded = new HashMap<String, File>();
    FILES.forEach((path, name) -> loaded.put(path, new File(read(name), type(name))));
    byPath = Map.copyOf(loaded);
  }

  /** The file served at {@code path}, or null. */
  File get(String path) {
    return byPath.get(path);
  }

  private static byte[] read(String name) {
    try (InputStream in = StaticFiles.class.getResourceAsStream("/web/" + name)) {
      if (in == null) {
        throw new IllegalStateException("web/" + name + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String type(String name) {
    if (name.endsWith(".html")) {
      return "text/html; charset=utf-8";
    }
    if (name.endsWith(".svg")) {
      return "image/svg+xml";
    }
    return name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
  }
}
