/**
 * Speech recognition: the engine SPI ({@code AsrEngine}, {@code StreamRecognizer}), the decode scheduler that shares
 * a fixed set of decoding threads among all streams in short turns, the spare recognizers and their warm-up, and the
 * recognizer's load and each stream's cost as the capacity control reads them ({@code ingest.RecognizerLoad},
 * {@code PcmStream.decoded}). May depend on {@code ingest} (the stream of queued audio), {@code protocol} and
 * {@code metrics}.
 */
package dev.hark.asr;
