package dev.hark.client;

import java.util.Locale;

/**
 * Word errors of a transcript against its reference: the word-level edit distance (substitutions, insertions and
 * deletions) and the reference's word count. Words are compared lower-case, letters and apostrophes only.
 */
public record WordErrors(int errors, int words) {
  /** No words heard against no words said. */
  public static final WordErrors NONE = new WordErrors(0, 0);

  public static WordErrors of(String reference, String hypothesis) {
    String[] r = words(reference);
    String[] h = words(hypothesis);
    int[] d = new int[h.length + 1];
    for (int j = 0; j <= h.length; j++) {
      d[j] = j;
    }
    for (int i = 1; i <= r.length; i++) {
      int diagonal = d[0];
      d[0] = i;
      for (int j = 1; j <= h.length; j++) {
        int above = d[j];
        d[j] = Math.min(Math.min(above + 1, d[j - 1] + 1), diagonal + (r[i - 1].equals(h[j - 1]) ? 0 : 1));
        diagonal = above;
      }
    }
    return new WordErrors(d[h.length], r.length);
  }

  /** The sum of two counts, for a rate over many transcripts. */
  public WordErrors plus(WordErrors other) {
    return new WordErrors(errors + other.errors, words + other.words);
  }

  /** Errors per reference word (0 when there is no reference word). */
  public double rate() {
    return words == 0 ? 0 : errors / (double) words;
  }

  static String[] words(String s) {
    String clean = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z' ]", " ").trim();
    return clean.isEmpty() ? new String[0] : clean.split("\\s+");
  }
}
