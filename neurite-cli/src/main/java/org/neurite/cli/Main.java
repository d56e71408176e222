package org.neurite.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.neurite.kernels.Parallel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code neurite} command. Exit status 0 on success, 2 on bad usage, 1 on other errors; an error is
 * one line on stderr, with the stack trace only under {@code --debug}.
 *
 * <p>Not thread-safe: one command per process; it sets the process-wide kernel thread count.
 */
@Command(name = "neurite", mixinStandardHelpOptions = true, version = "neurite 0.1.0",
    description = "Deep learning on the JVM, in pure Java.",
    subcommands = {DemoCommand.class, TrainCommand.class, FinetuneCommand.class, EvalCommand.class, PredictCommand.class, ClassifyCommand.class, RunCommand.class, ConvertCommand.class, BenchCommand.class, Word2VecCommand.class, TranslateCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
  @Option(names = "--debug", description = "Print stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
  boolean debug;

  @Option(names = "--threads", paramLabel = "N",
      description = "Threads for the compute kernels (default: the machine's cores, or -Dneurite.threads).")
  void threads(int n) {
    if (n < 1) throw new CommandLine.ParameterException(new CommandLine(this), "--threads (" + n + ") must be >= 1");
    Parallel.setThreads(n);
  }

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 2;
  }

  /** Creates the top-level command; {@link #main} is the entry point. */
  public Main() {}

  /**
   * Runs the command line and exits the JVM with its status: 0 on success, 2 on bad usage, 1 on other
   * errors.
   *
   * @param args the command and its options, as typed after {@code neurite}
   */
  public static void main(String[] args) {
    Collector.args = args.clone();
    System.exit(run(args));
  }

  static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    boolean debug = java.util.Arrays.asList(args).contains("--debug");
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (debug) e.printStackTrace(cmd.getErr());
      else cmd.getErr().println("neurite: " + oneLine(e));
      cmd.getErr().flush();
      return 1;
    });
    cli.setParameterExceptionHandler((e, a) -> {
      PrintWriter err = e.getCommandLine().getErr();
      err.println("neurite: " + e.getMessage() + " (see: neurite " + e.getCommandLine().getCommandName() + " --help)");
      err.flush();
      return 2;
    });
    return cli.execute(args);
  }

  static String oneLine(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
    return m.replace('\n', ' ');
  }
}
