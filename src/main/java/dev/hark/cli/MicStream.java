package dev.hark.cli;

import dev.hark.client.Messages;
import dev.hark.client.ResumableSocket;
import java.util.List;
import java.util.concurrent.CompletionException;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.TargetDataLine;

/** {@code hark stream --mic}: 16 kHz mono PCM16 from the default capture device until Ctrl-C, then stop. */
final class MicStream {
  private static final AudioFormat FORMAT = new AudioFormat(16000, 16, 1, true, false);
  private final StreamCommand cmd;

  MicStream(StreamCommand cmd) {
    this.cmd = cmd;
  }

  int run() {
    DataLine.Info info = new DataLine.Info(TargetDataLine.class, FORMAT);
    if (!AudioSystem.isLineSupported(info)) {
      return cmd.fail(2, "no microphone: Java sound finds no capture device for 16 kHz mono 16-bit audio here");
    }
    TargetDataLine line;
    try {
      line = (TargetDataLine) AudioSystem.getLine(info);
      line.open(FORMAT);
    } catch (LineUnavailableException | IllegalArgumentException | SecurityException e) {
      return cmd.fail(2, "the microphone cannot be opened: " + e.getMessage());
    }
    SessionPrinter printer = new SessionPrinter(System.out, System.err, cmd.json(), Terminal.interactive());
    ResumableSocket ws;
    try {
      ws = cmd.open(printer, Messages.start(16000, List.of(cmd.source()), cmd.overflow()));
    } catch (CompletionException e) {
      line.close();
      return cmd.fail(1, cmd.connectFailure(e.getCause()));
    }
    if (!printer.awaitReady(30)) {
      line.close();
      return cmd.fail(3, "the server did not answer start with ready" + printer.why());
    }
    Thread main = Thread.currentThread();
    // Ctrl-C: let the capture loop send stop and print the last results before the JVM exits.
    Thread hook = new Thread(() -> {
      main.interrupt();
      try {
        main.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "hark-mic-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    System.err.println("listening on the microphone; Ctrl-C to stop");
    line.start();
    byte[] chunk = new byte[640];
    long seq = 0;
    while (!Thread.currentThread().isInterrupted() && !printer.closed()) {
      int n = line.read(chunk, 0, chunk.length);
      if (n > 0) {
        ws.audio(cmd.source(), seq, Messages.audio(cmd.source(), chunk, 0, n - n % 2, seq), n / 32);
        seq++;
      }
    }
    line.close();
    ws.text(Messages.STOP);
    return printer.awaitStopped(60) == null ? 3 : 0;
  }
}
