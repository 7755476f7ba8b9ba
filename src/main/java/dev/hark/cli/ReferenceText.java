package dev.hark.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The words said in a list of recordings, from a transcript table of lines {@code NAME<TAB>words}. */
final class ReferenceText {
  private ReferenceText() {}

  /** The words of {@code files} in order; each file is looked up by its name without {@code .wav}. */
  static String of(Path table, List<Path> files) throws MissingException {
    Map<String, String> byName = new HashMap<>();
    try {
      for (String line : Files.readAllLines(table, StandardCharsets.UTF_8)) {
        int tab = line.indexOf('\t');
        if (tab > 0) {
          byName.put(line.substring(0, tab).trim(), line.substring(tab + 1).trim());
        }
      }
    } catch (IOException e) {
      throw new MissingException(table + ": cannot read: " + e.getMessage());
    }
    StringBuilder words = new StringBuilder();
    for (Path f : files) {
      String name = f.getFileName().toString().replaceFirst("(?i)\\.wav$", "");
      String text = byName.get(name);
      if (text == null) {
        throw new MissingException(table + ": no line for " + name + " (lines are NAME<TAB>words)");
      }
      words.append(text).append(' ');
    }
    return words.toString().trim();
  }

  /** A reference table that cannot be read or lacks a file. */
  static final class MissingException extends Exception {
    private static final long serialVersionUID = 1L;

    MissingException(String message) {
      super(message);
    }
  }
}
