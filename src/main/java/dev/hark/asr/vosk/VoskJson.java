package dev.hark.asr.vosk;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.hark.protocol.Word;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Vosk's JSON results: {@code {"result":[{"conf","start","end","word"}...],"text":...}} and {@code
 * {"partial":...}}.
 */
final class VoskJson {
  private static final JsonFactory JSON = new JsonFactory();

  /** A final result: its text and its words (times in ms since the recognizer's first sample). */
  record Result(String text, List<Word> words) {}

  private VoskJson() {}

  static String partial(String json) {
    try (JsonParser p = JSON.createParser(json)) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (name.equals("partial")) {
          return p.getText().strip();
        }
        p.skipChildren();
      }
      return "";
    } catch (IOException e) {
      throw new UncheckedIOException("Vosk wrote a partial result that is not JSON", e);
    }
  }

  /**
   * Reads a final result; {@code offsetSeconds} is taken off every time (a reset recognizer counts on from the
   * audio of the streams before).
   */
  static Result result(String json, double offsetSeconds) {
    String text = "";
    List<Word> words = new ArrayList<>();
    try (JsonParser p = JSON.createParser(json)) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (name.equals("text")) {
          text = p.getText().strip();
        } else if (name.equals("result") && value == JsonToken.START_ARRAY) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            words.add(word(p, offsetSeconds));
          }
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Vosk wrote a result that is not JSON", e);
    }
    return new Result(text, words);
  }

  private static Word word(JsonParser p, double offsetSeconds) throws IOException {
    String word = "";
    double start = 0;
    double end = 0;
    double conf = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "word" -> word = p.getText();
        case "start" -> start = p.getDoubleValue();
        case "end" -> end = p.getDoubleValue();
        case "conf" -> conf = p.getDoubleValue();
        default -> p.skipChildren();
      }
    }
    return new Word(word, Math.max(0, Math.round((start - offsetSeconds) * 1000)),
        Math.max(0, Math.round((end - offsetSeconds) * 1000)), conf);
  }
}
