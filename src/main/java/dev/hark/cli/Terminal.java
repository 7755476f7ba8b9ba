package dev.hark.cli;

import java.io.Console;

/** Whether this process talks to a person at a terminal (progress lines, prompts) or to a pipe or a file. */
final class Terminal {
  private Terminal() {}

  /**
   * True when standard input and output are a terminal. From JDK 22 {@code System.console()} is not null for a
   * pipe either, so its {@code isTerminal()} decides when it exists (looked up by name: the source level is 21).
   */
  @SuppressWarnings("SystemConsoleNull") // the null test is for JDK 21, isTerminal for 22 and later
  static boolean interactive() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // JDK 21: a console exists only for a terminal
    }
  }
}
