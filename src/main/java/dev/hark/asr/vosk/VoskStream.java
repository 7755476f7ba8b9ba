package dev.hark.asr.vosk;

import dev.hark.asr.StreamRecognizer;
import dev.hark.asr.TranscriptListener;
import dev.hark.protocol.Word;
import java.io.IOException;
import java.util.List;
import org.vosk.Recognizer;

/**
 * One stream's Vosk recognizer. Vosk says when an utterance ends (at a pause); its words then come with times in
 * seconds since the stream's first sample and a confidence. A partial is reported at most once a turn, and only
 * when its text changed, spanning from the end of the last final to the audio decoded so far.
 */
final class VoskStream implements StreamRecognizer {
  private final Recognizer recognizer;
  private final int sampleRate;
  /** Brings the client's rate to one the model takes; null when it takes the client's as it is. */
  private final Resampler resampler;
  /** Samples of this stream so far. */
  private long samples;
  /** Samples the recognizer took for the streams before this one: Vosk's times count on across a reset. */
  private long samplesBefore;
  private long lastFinalEndMs;
  private String lastPartial = "";

  /** Samples and times are counted at the client's {@code sampleRate}, whatever rate the recognizer is fed. */
  VoskStream(Recognizer recognizer, int sampleRate, Resampler resampler) {
    this.recognizer = recognizer;
    this.sampleRate = sampleRate;
    this.resampler = resampler;
  }

  @Override
  public void accept(byte[] pcm, int length, TranscriptListener results) throws IOException {
    boolean utteranceEnded;
    if (resampler == null) {
      utteranceEnded = VoskAccept.accept(recognizer, pcm, length);
    } else {
      int n = resampler.accept(pcm, length);
      utteranceEnded = VoskAccept.accept(recognizer, resampler.output(), n);
    }
    samples += length / 2;
    if (utteranceEnded) {
      reportFinal(VoskJson.result(recognizer.getResult(), secondsBefore()), results);
      return;
    }
    String partial = VoskJson.partial(recognizer.getPartialResult());
    if (!partial.isEmpty() && !partial.equals(lastPartial)) {
      lastPartial = partial;
      results.onResult(partial, false, lastFinalEndMs, samples * 1000 / sampleRate, List.of());
    }
  }

  @Override
  public void finish(TranscriptListener results) throws IOException {
    if (resampler != null) {
      int n = resampler.drain(); // the last samples it held back
      VoskAccept.accept(recognizer, resampler.output(), n);
    }
    reportFinal(VoskJson.result(recognizer.getFinalResult(), secondsBefore()), results);
  }

  private void reportFinal(VoskJson.Result r, TranscriptListener results) {
    lastPartial = "";
    if (r.text().isEmpty()) {
      return; // silence: nothing was said
    }
    List<Word> words = r.words();
    long start = words.isEmpty() ? lastFinalEndMs : words.get(0).startMs();
    long end = words.isEmpty() ? samples * 1000 / sampleRate : words.get(words.size() - 1).endMs();
    lastFinalEndMs = end;
    results.onResult(r.text(), true, start, end, words);
  }

  private double secondsBefore() {
    return samplesBefore / (double) sampleRate;
  }

  @Override
  public boolean reset() {
    recognizer.reset();
    if (resampler != null) {
      resampler.reset();
    }
    samplesBefore += samples;
    samples = 0;
    lastFinalEndMs = 0;
    lastPartial = "";
    return true;
  }

  @Override
  public void close() {
    recognizer.close();
  }
}
