/**
 * {@code --record}: every accepted chunk appended to a WAV file per session and source before it is queued, the
 * files finished (sizes fixed, fsync) off the session's thread. Disk I/O only; depends on no other Hark package.
 */
package dev.hark.recording;
