/**
 * Sessions and their sources: the bounded queue per source and its overflow policies, backpressure statuses, the
 * global buffer budget, the recognizer's capacity (the DecodeLedger of reserved and measured costs, admission by
 * reservation, the CapacityDecision and the reducers that shed and restore whole sources), and the
 * ConcurrencyController that wires them and decides each chunk's fate. Knows nothing of Netty (a session talks to
 * its connection through {@code SessionChannel}). May depend on {@code protocol} and {@code metrics}.
 */
package dev.hark.ingest;
