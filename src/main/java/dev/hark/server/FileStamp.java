package dev.hark.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/** What tells a changed file from the same one: modification time, size and identity, of each file given. */
final class FileStamp {
  private FileStamp() {}

  /** Equal to an earlier stamp exactly when none of {@code files} has changed since (as the file system tells). */
  static Object of(Path... files) throws IOException {
    List<Object> stamp = new ArrayList<>();
    for (Path p : files) {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      stamp.add(List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey())));
    }
    return stamp;
  }
}
