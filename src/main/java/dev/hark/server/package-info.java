/**
 * Netty: the listening socket, the per-connection pipeline, HTTP routes (the page, /healthz, /readyz, /metrics,
 * /capacity), admission before the upgrade (tokens, origins, limits), and the session handler that turns frames into
 * protocol messages for {@code ingest}. Every limit one client could otherwise exhaust is enforced here. May depend
 * on {@code protocol}, {@code ingest}, {@code asr} and {@code metrics}.
 */
package dev.hark.server;
