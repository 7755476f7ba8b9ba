/**
 * Speech recognition: the engine SPI ({@code AsrEngine}, {@code StreamRecognizer}), the decode scheduler that shares
 * a fixed set of decoding threads among all streams in short turns, the spare recognizers, and the recognizer's load
 * as the capacity control reads it. May depend on {@code ingest} (the stream of queued audio), {@code protocol} and
 * {@code metrics}.
 */
package dev.hark.asr;
