/**
 * Sessions and their sources: the bounded queue per source and its overflow policies, backpressure statuses, the
 * global buffer budget, shedding of whole sources, the recording to disk, and the ConcurrencyController that decides
 * each chunk's fate. Knows nothing of Netty (a session talks to its connection through {@code SessionChannel}). May
 * depend on {@code protocol} and {@code metrics}.
 */
package dev.hark.ingest;
