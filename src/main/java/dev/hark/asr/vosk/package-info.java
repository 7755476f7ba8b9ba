/**
 * The Vosk engine: one Kaldi model per server, a recognizer per stream, and its JSON results read into Hark's words.
 * May depend on {@code asr}, {@code protocol} and {@code metrics}.
 */
package dev.hark.asr.vosk;
