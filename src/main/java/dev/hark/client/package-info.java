/**
 * Clients of a Hark server, used by {@code hark stream} and {@code hark bench}: WAV reading, the load generator on
 * Netty, the scrape of the server's numbers, word error counting. Speaks only the wire protocol: depends on no other
 * Hark package, so it measures the server from outside.
 */
package dev.hark.client;
