package dev.hark.protocol;

/** The outcome of decoding one client frame: a message, or the typed error to send back. */
public sealed interface Decoded permits ClientMessage, ProtocolError {}
