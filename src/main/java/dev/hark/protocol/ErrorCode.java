package dev.hark.protocol;

/** Every error code the server sends in an {@code error} message; {@link #wire()} is the name on the wire. */
public enum ErrorCode {
  /** The text frame is not one JSON object. */
  BAD_JSON("bad_json"),
  /** Valid JSON, but a field has the wrong type or a required field is missing. */
  BAD_MESSAGE("bad_message"),
  /** {@code data} missing, not a string, empty, or an odd number of PCM16 bytes. */
  BAD_AUDIO("bad_audio"),
  /** {@code data} is not valid Base64. */
  BAD_BASE64("bad_base64"),
  /** {@code type} names no message this server knows. */
  UNKNOWN_TYPE("unknown_type"),
  /** A source name that is empty, too long or uses characters outside {@code [A-Za-z0-9_.-]}. */
  BAD_SOURCE("bad_source"),
  /** More sources than {@code --max-sources} in one session. */
  TOO_MANY_SOURCES("too_many_sources"),
  /** A binary frame whose first byte is not the index of a source declared in {@code start}. */
  UNKNOWN_SOURCE("unknown_source"),
  /** {@code sample_rate} outside 8000–48000. */
  BAD_SAMPLE_RATE("bad_sample_rate"),
  /** {@code overflow} names no policy. */
  BAD_OVERFLOW("bad_overflow"),
  /**
   * A message that is valid on its own but not now: {@code start} after audio, a second {@code start}, anything after
   * {@code stop}.
   */
  BAD_STATE("bad_state"),
  /** The recognizer of one source failed; the other sources carry on. */
  ASR_FAILED("asr_failed"),
  /**
   * The recognizer's capacity cannot take the sources {@code start} asked for: the session is refused and closed
   * with 1013 (try again later), before any audio.
   */
  ASR_CAPACITY("asr_capacity"),
  /** More messages a second than {@code --max-messages-per-s}: the excess is dropped (one error a second says so). */
  RATE_LIMITED("rate_limited"),
  /** {@code --record} could not write this source's file (disk full, say): recording stops, ingest goes on. */
  RECORDING_FAILED("recording_failed"),
  /** A resume named no session this server holds for resuming (never made here, ended, or its window passed). */
  RESUME_UNKNOWN("resume_unknown"),
  /** A resume whose resume token, or whose access token, is not the session's. */
  RESUME_DENIED("resume_denied");

  private final String wire;

  ErrorCode(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
