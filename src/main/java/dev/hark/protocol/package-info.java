/**
 * The wire: client messages decoded from WebSocket frames (JSON or binary audio) into sealed records, server messages
 * encoded back, and the vocabulary both sides share (error codes, drop reasons, words). Depends on nothing of Hark;
 * everything else depends on it.
 */
package dev.hark.protocol;
