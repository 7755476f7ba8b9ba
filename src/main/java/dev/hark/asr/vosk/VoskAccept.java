package dev.hark.asr.vosk;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.io.IOException;
import java.util.Map;
import org.vosk.LibVosk;
import org.vosk.Recognizer;

/**
 * Feeds a Vosk recognizer and hears when it refuses the audio. libvosk answers -1 when Kaldi throws (a sample rate
 * its features cannot take, say), but Vosk's Java binding maps the answer to a boolean, and -1 reads as "an
 * utterance ended" whose result is empty: the stream would go quiet, silently. This calls the same native function
 * of the same library instance and keeps the number.
 */
final class VoskAccept {
  private static final Function ACCEPT = NativeLibrary.getInstance(Platform.isWindows() ? "libvosk" : "vosk",
      // The options LibVosk registered the library with, so this is that library, not a second copy of it.
      Map.of(Library.OPTION_CLASSLOADER, LibVosk.class.getClassLoader()))
      .getFunction("vosk_recognizer_accept_waveform");

  private VoskAccept() {}

  /** Decodes {@code pcm[0, length)}; true when an utterance ended. Throws when the recognizer refused the audio. */
  static boolean accept(Recognizer r, byte[] pcm, int length) throws IOException {
    int answer = ACCEPT.invokeInt(new Object[] {r.getPointer(), pcm, length});
    if (answer < 0) {
      throw new IOException("the recognizer refused the audio (Vosk's error is in the server's log)");
    }
    return answer > 0;
  }
}
