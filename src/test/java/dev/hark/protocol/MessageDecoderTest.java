package dev.hark.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageDecoderTest {
  static Decoded decode(String json) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    byte[] padded = new byte[b.length + 50];
    System.arraycopy(b, 0, padded, 0, b.length);
    return MessageDecoder.decodeText(padded, b.length);
  }

  @Test
  void audioFieldsInAnyOrderDecodeTheSamePcm() {
    byte[] pcm = new byte[640];
    for (int i = 0; i < pcm.length; i++) {
      pcm[i] = (byte) (i * 7);
    }
    String data = Base64.getEncoder().encodeToString(pcm);
    for (String json : List.of(
        "{\"type\":\"audio\",\"source\":\"mic\",\"data\":\"" + data + "\",\"seq\":3}",
        "{\"data\":\"" + data + "\",\"seq\":3,\"source\":\"mic\",\"type\":\"audio\"}",
        " { \"seq\" : 3 , \"data\" :  \"" + data
            + "\" , \"type\":\"audio\", \"source\":\"mic\", \"x\":{\"y\":[1,2]}}")) {
      assertThat(decode(json)).isInstanceOfSatisfying(ClientMessage.Audio.class, a -> {
        assertThat(a.source()).isEqualTo("mic");
        assertThat(a.pcm()).isEqualTo(pcm);
        assertThat(a.seq()).isEqualTo(3);
      });
    }
  }

  @Test
  void startDefaultsAndValues() {
    assertThat(decode("{\"type\":\"start\"}")).isEqualTo(new ClientMessage.Start(null, null, null));
    assertThat(decode(
        "{\"type\":\"start\",\"sample_rate\":8000,\"sources\":[\"mic\",\"system\"],\"overflow\":\"block\"}"))
        .isEqualTo(new ClientMessage.Start(8000, List.of("mic", "system"), OverflowPolicy.BLOCK));
  }

  @Test
  void resumeAndFlush() {
    assertThat(decode("{\"type\":\"start\",\"resume\":{\"session_id\":\"n1.abc\",\"token\":\"t-_0\",\"finals\":3}}"))
        .isEqualTo(new ClientMessage.Start(null, null, null, Map.of(),
            new ClientMessage.Resume("n1.abc", "t-_0", 3)));
    assertThat(decode("{\"type\":\"start\",\"resume\":{\"session_id\":\"a\",\"token\":\"t\",\"finals\":"
        + Long.MAX_VALUE + "}}")).isInstanceOfSatisfying(ClientMessage.Start.class,
            s -> assertThat(s.resume().finals()).isEqualTo(Long.MAX_VALUE));
    assertThat(decode("{\"type\":\"start\",\"resume\":{\"session_id\":\"n1.abc\",\"token\":\"t\"}}"))
        .isInstanceOfSatisfying(ClientMessage.Start.class, s -> assertThat(s.resume().finals()).isEqualTo(-1));
    for (String bad : List.of("\"resume\":\"x\"", "\"resume\":{}", "\"resume\":{\"session_id\":\"a\"}",
        "\"resume\":{\"session_id\":\"a b\",\"token\":\"t\"}", "\"resume\":{\"session_id\":\"a\",\"token\":7}",
        "\"resume\":{\"session_id\":\"" + "x".repeat(200) + "\",\"token\":\"t\"}",
        "\"resume\":{\"session_id\":\"a\",\"token\":\"t\",\"finals\":-1}",
        "\"resume\":{\"session_id\":\"a\",\"token\":\"t\",\"finals\":9223372036854775808}",
        "\"resume\":{\"session_id\":\"a\",\"token\":\"t\",\"finals\":1.5}",
        "\"resume\":{\"session_id\":\"a\",\"token\":\"t\",\"finals\":\"3\"}")) {
      assertThat(decode("{\"type\":\"start\"," + bad + "}")).as(bad).isInstanceOfSatisfying(ProtocolError.class,
          e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_MESSAGE));
    }
    assertThat(decode("{\"type\":\"flush\"}")).isEqualTo(new ClientMessage.Flush(null));
    assertThat(decode("{\"type\":\"flush\",\"source\":\"system\"}")).isEqualTo(new ClientMessage.Flush("system"));
    assertThat(decode("{\"type\":\"flush\",\"source\":\"no spaces\"}")).isInstanceOf(ProtocolError.class);
  }

  @Test
  void invalidUtf8InAFieldIsBadJson() {
    byte[] bad = "{\"type\":\"au\u00ffdio\"}".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(MessageDecoder.decodeText(bad, bad.length)).isInstanceOfSatisfying(ProtocolError.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_JSON));
  }

  @Test
  void binaryFrame() {
    assertThat(MessageDecoder.decodeBinary(new byte[] {2, 10, 20})).isInstanceOfSatisfying(
        ClientMessage.BinaryAudio.class, b -> {
          assertThat(b.sourceIndex()).isEqualTo(2);
          assertThat(b.pcm()).containsExactly(10, 20);
        });
  }
}
