package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hark.asr.NoneEngine;
import dev.hark.testing.RawWs;
import dev.hark.testing.SharedServer;
import dev.hark.testing.TestServer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The client's close frame (RFC 6455 section 7.4): a valid code is echoed; a code no endpoint may send, a one-byte
 * body, or a reason that is not UTF-8 is answered with 1002 (1007 for the reason), never with the client's own
 * invalid code.
 */
class CloseFrameTest {
  @RegisterExtension
  static final SharedServer server = new SharedServer(() -> TestServer.start(new NoneEngine(0)));

  private static byte[] body(int code, byte[] reason) {
    byte[] b = new byte[2 + reason.length];
    b[0] = (byte) (code >>> 8);
    b[1] = (byte) code;
    System.arraycopy(reason, 0, b, 2, reason.length);
    return b;
  }

  /** The close frame the server answers with, or EOF if it sent none. */
  private static RawWs.Frame answer(byte[] closeBody) throws Exception {
    try (RawWs ws = new RawWs(server.port())) {
      ws.frame(true, 0x8, closeBody);
      RawWs.Frame f;
      do {
        f = ws.next(5);
      } while (f != null && f.opcode() != 0x8 && f != RawWs.EOF);
      return f;
    }
  }

  @ParameterizedTest(name = "close {0} -> {1}")
  @CsvSource({"1000, 1000", "1001, 1001", "1003, 1003", "1007, 1007", "1011, 1011", "1014, 1014", "3000, 3000",
      "4999, 4999", "0, 1002", "999, 1002", "1004, 1002", "1005, 1002", "1006, 1002", "1015, 1002", "1016, 1002",
      "2999, 1002", "5000, 1002", "65535, 1002"})
  void aCloseCodeIsEchoedOnlyWhenAClientMaySendIt(int sent, int expected) throws Exception {
    RawWs.Frame f = answer(body(sent, "bye".getBytes(StandardCharsets.UTF_8)));
    assertThat(f).isNotNull();
    assertThat(f.opcode()).as("a close frame, not just a dropped connection").isEqualTo(0x8);
    assertThat(f.closeCode()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "close body of {0} byte(s)")
  @CsvSource({"0, 1000", "1, 1002"})
  void anEmptyCloseIsAnsweredNormallyAndAOneByteBodyIsAViolation(int bytes, int expected) throws Exception {
    RawWs.Frame f = answer(new byte[bytes]);
    assertThat(f.opcode()).isEqualTo(0x8);
    assertThat(f.closeCode()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "reason bytes {0}")
  @CsvSource({"c3 28", "ff fe", "ed a0 80"})
  void aReasonThatIsNotUtf8IsAnsweredWith1007(String hex) throws Exception {
    String[] parts = hex.split(" ");
    byte[] reason = new byte[parts.length];
    for (int i = 0; i < parts.length; i++) {
      reason[i] = (byte) Integer.parseInt(parts[i], 16);
    }
    RawWs.Frame f = answer(body(1000, reason));
    assertThat(f.opcode()).isEqualTo(0x8);
    assertThat(f.closeCode()).isEqualTo(1007);
  }
}
