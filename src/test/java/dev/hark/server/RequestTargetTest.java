package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A request target is split into its raw path and decoded query, and a bad %-escape never throws. */
class RequestTargetTest {
  @Test
  void theRawPathIsKeptAndTheQueryDecoded() {
    RequestTarget.Parsed p = (RequestTarget.Parsed) RequestTarget.parse("/ws/live?token=a%2Bb&x=1#frag");
    assertThat(p.path()).isEqualTo("/ws/live");
    assertThat(p.param("token")).isEqualTo("a+b");
    assertThat(p.param("missing")).isNull();
    assertThat(((RequestTarget.Parsed) RequestTarget.parse("/ws%2Flive")).path()).isEqualTo("/ws%2Flive");
  }

  @Test
  void badEscapesAreMalformedAndNotRepeated() {
    for (String uri : new String[] {"/%zz", "/%", "/ws/live?token=secret%zz", "/ws/live?token=%", "/a%2"}) {
      assertThat(RequestTarget.parse(uri)).isInstanceOfSatisfying(RequestTarget.Malformed.class,
          m -> assertThat(m.message()).doesNotContain("secret").doesNotContain("zz"));
    }
  }
}
