package dev.hark.protocol;

/** A client mistake: the code and a human-readable message, sent back as an {@code error} message. */
public record ProtocolError(ErrorCode code, String message) implements Decoded {}
