package dev.hark.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Text that may carry client input is made fit for the log. */
class LogSafeTest {
  @Test
  void tokensAndQueriesAreBlanked() {
    assertThat(LogSafe.clean("invalid hex byte 'zz' at index 37 of '/ws/live?token=s3cret%zz'"))
        .doesNotContain("s3cret").contains("/ws/live?<query>");
    assertThat(LogSafe.clean("Authorization: Bearer s3cret")).doesNotContain("s3cret");
    assertThat(LogSafe.clean("protocols hark, hark.token.s3cret")).doesNotContain("s3cret");
    assertThat(LogSafe.clean("token=s3cret")).doesNotContain("s3cret");
  }

  @Test
  void controlCharactersAreEscapedAndLengthIsCapped() {
    assertThat(LogSafe.clean("a\nINFO forged line\r")).isEqualTo("a\\x0aINFO forged line\\x0d");
    assertThat(LogSafe.clean("x".repeat(10_000))).hasSize(LogSafe.MAX_CHARS + 3);
    assertThat(LogSafe.clean(null)).isEmpty();
  }

  @Test
  void aScrubbedThrowableKeepsItsStackTraceAndLosesTheSecret() {
    IllegalArgumentException e = new IllegalArgumentException("bad '/ws/live?token=s3cret'",
        new IllegalStateException("Bearer s3cret"));
    Throwable s = LogSafe.scrub(e);
    assertThat(s.getMessage()).startsWith(IllegalArgumentException.class.getName()).doesNotContain("s3cret");
    assertThat(s.getCause().getMessage()).doesNotContain("s3cret");
    assertThat(s.getStackTrace()).isEqualTo(e.getStackTrace());
  }
}
