/**
 * The {@code hark} command (picocli): {@code serve}, {@code stream} and {@code bench}. Parses flags into the other
 * packages' settings; may depend on any of them.
 */
package dev.hark.cli;
