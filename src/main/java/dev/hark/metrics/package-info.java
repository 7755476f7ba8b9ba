/**
 * The Micrometer registry behind {@code /metrics} and the meters that ingest and the server count into: the only
 * global mutable state Hark has. May depend on {@code protocol} (for its reason vocabularies).
 */
package dev.hark.metrics;
