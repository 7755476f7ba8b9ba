package dev.hark.asr.sphinx;

import dev.hark.asr.Decoder;
import dev.hark.asr.TranscriptListener;
import dev.hark.ingest.PcmStream;
import edu.cmu.sphinx.api.AbstractSpeechRecognizer;
import edu.cmu.sphinx.api.Configuration;
import edu.cmu.sphinx.api.Context;
import edu.cmu.sphinx.api.SpeechResult;
import edu.cmu.sphinx.decoder.ResultListener;
import edu.cmu.sphinx.result.Result;
import edu.cmu.sphinx.result.WordResult;
import edu.cmu.sphinx.util.props.PropertySheet;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * One Sphinx4 recognizer (US English acoustic model, dictionary and language model from the sphinx4-data jar)
 * that decodes a stream into final results per utterance and partial results every half second.
 */
final class SphinxDecoder extends AbstractSpeechRecognizer implements Decoder {
  private static final String MODELS = "resource:/edu/cmu/sphinx/models/en-us/";

  private static final int WARM_UP_PASSES = 3;
  private static final java.util.concurrent.atomic.AtomicBoolean WARMED = new java.util.concurrent.atomic.AtomicBoolean();

  private volatile Target target;

  private SphinxDecoder(Context context) throws IOException {
    super(context);
    recognizer.addResultListener(new Partials());
  }

  static SphinxDecoder load() throws IOException {
    Configuration c = new Configuration();
    c.setAcousticModelPath(MODELS + "en-us");
    c.setDictionaryPath(MODELS + "cmudict-en-us.dict");
    c.setLanguageModelPath(MODELS + "en-us.lm.bin");
    c.setSampleRate(Resampler.TARGET);
    SphinxSearch.applyGlobals();
    Context context = new Context(c);
    SphinxSearch.LOCAL.forEach((k, v) -> context.setLocalProperty(k, System.getProperty(k, v)));
    SphinxDecoder d = new SphinxDecoder(context);
    // Allocated once for the decoder's life: allocating builds the search structures, about a second of CPU.
    d.recognizer.allocate();
    // Compiled code is shared by every decoder, so the first one warms longest; each warms its own caches once.
    int passes = WARMED.compareAndSet(false, true) ? WARM_UP_PASSES : 1;
    for (int i = 0; i < passes; i++) {
      d.warmUp();
    }
    return d;
  }

  /**
   * Decodes a built-in 5 s clip (synthetic speech made with espeak-ng) so the JIT has compiled the search before
   * the first client: a cold decoder runs 2-3 times slower and would drop a live stream's audio.
   */
  private void warmUp() throws IOException {
    byte[] pcm;
    try (InputStream in = SphinxDecoder.class.getResourceAsStream("warmup.pcm")) {
      if (in == null) {
        throw new IOException("warmup.pcm is missing from the class path");
      }
      pcm = in.readAllBytes();
    }
    context.setSpeechSource(new ByteArrayInputStream(pcm));
    while (getResult() != null) {
      // Only the work matters, not the words.
    }
  }

  @Override
  public void decode(PcmStream audio, TranscriptListener out) {
    Target t = new Target(audio, out);
    target = t;
    try {
      context.setSpeechSource(Resampler.to16k(audio, audio.sampleRate()));
      SpeechResult r;
      while ((r = getResult()) != null) {
        t.fin(r);
      }
    } finally {
      target = null;
    }
  }

  @Override
  public void close() {
    recognizer.deallocate();
  }

  /** Where the results of the stream being decoded go, with the end of its last final result. */
  private static final class Target {
    final PcmStream audio;
    final TranscriptListener out;
    long lastEndMs;
    String lastPartial = "";

    Target(PcmStream audio, TranscriptListener out) {
      this.audio = audio;
      this.out = out;
    }

    void fin(SpeechResult r) {
      List<WordResult> words = r.getWords().stream().filter(w -> !w.isFiller()).toList();
      String text = r.getHypothesis().trim();
      lastPartial = "";
      if (text.isEmpty() || words.isEmpty()) {
        return;
      }
      long start = words.getFirst().getTimeFrame().getStart();
      long end = words.getLast().getTimeFrame().getEnd();
      lastEndMs = end;
      out.onResult(text, true, audio.timelineMs(start), audio.timelineMs(end));
    }

    void partial(Result r) {
      String text = r.getBestResultNoFiller().trim();
      if (text.isEmpty() || text.equals(lastPartial)) {
        return;
      }
      lastPartial = text;
      long end = Math.max(lastEndMs, r.getCollectTime());
      out.onResult(text, false, audio.timelineMs(lastEndMs), audio.timelineMs(end));
    }
  }

  /** Sphinx4 calls this every 50 frames while decoding; non-final results become partial transcripts. */
  private final class Partials implements ResultListener {
    @Override
    public void newResult(Result result) {
      Target t = target;
      if (t != null && !result.isFinal()) {
        t.partial(result);
      }
    }

    @Override
    public void newProperties(PropertySheet ps) {}
  }
}
