package dev.hark.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code hark} command: {@code hark serve} runs the gateway. */
@Command(name = "hark", mixinStandardHelpOptions = true, version = "hark 0.1.0",
    description = "Live-audio ingestion gateway for speech recognition.",
    subcommands = {ServeCommand.class, StreamCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }
}
