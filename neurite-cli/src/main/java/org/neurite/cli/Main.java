package org.neurite.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.neurite.kernels.Parallel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code neurite} command. Exit status 0 on success, 2 on bad usage, 1 on other errors; an error is
 * one line on stderr that starts with the command ({@code neurite train image: ...}), with the stack trace only under
 * {@code --debug}.
 *
 * <p>Not thread-safe: one command per process; it sets the process-wide kernel thread count.
 */
// scope = INHERIT hands -h/--help, -V/--version and showDefaultValues down to every subcommand, at any depth.
@Command(name = "neurite", mixinStandardHelpOptions = true, showDefaultValues = true, scope = CommandLine.ScopeType.INHERIT,
    version = "neurite 0.1.0", description = "Deep learning on the JVM, in pure Java.",
    subcommands = {DemoCommand.class, TrainCommand.class, FinetuneCommand.class, EvalCommand.class, PredictCommand.class, ClassifyCommand.class, RunCommand.class, ConvertCommand.class, BenchCommand.class, Word2VecCommand.class, TranslateCommand.class, HelpCommand.class})
public final class Main implements Callable<Integer> {
  @Option(names = "--debug", description = "Print stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
  boolean debug;

  @Option(names = "--threads", paramLabel = "N", scope = CommandLine.ScopeType.LOCAL,
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
    Logs.install();
    int status;
    try {
      status = run(args);
    } catch (OutOfMemoryError e) {
      // picocli hands only Exceptions to the handler; an Error ends here. By now the stack has unwound and
      // what filled the heap is garbage, so one line can be printed. Saves write to temporary files and
      // rename them into place, and delete them on any Error, so nothing half-written is left.
      System.err.println(outOfMemory(args, e, Runtime.getRuntime().maxMemory()));
      if (java.util.Arrays.asList(args).contains("--debug")) e.printStackTrace();
      status = 1;
    } catch (StackOverflowError e) {
      System.err.println("neurite: the input nests deeper than the stack allows (" + e + "); run with NEURITE_JAVA_OPTS=-Xss16m");
      status = 1;
    }
    System.exit(status);
  }

  /**
   * The one line printed for an {@link OutOfMemoryError}: what ran, the files it named, the heap it had
   * and the -Xmx to try (twice the heap, in whole GiB).
   */
  static String outOfMemory(String[] args, OutOfMemoryError e, long maxHeap) {
    java.util.List<String> files = new java.util.ArrayList<>();
    for (String a : args) {
      try {
        if (!a.startsWith("-") && java.nio.file.Files.exists(java.nio.file.Path.of(a))) files.add(a);
      } catch (RuntimeException bad) {
        // not a path
      }
    }
    long gib = Math.max(2, 2 * ((maxHeap + (1L << 30) - 1) >> 30));
    String command = String.join(" ", java.util.Arrays.stream(args).takeWhile(a -> !a.startsWith("-")).limit(2).toList());
    return "neurite" + (command.isEmpty() ? "" : " " + command) + ": out of memory (" + e.getMessage() + ")"
        + (files.isEmpty() ? "" : " while working on " + String.join(", ", files)) + " with a "
        + org.neurite.io.Heap.mib(maxHeap) + " heap; run with a larger one, e.g. NEURITE_JAVA_OPTS=-Xmx" + gib + "g"
        + ", or use smaller inputs or batches";
  }

  static int run(String... args) {
    org.neurite.train.ProgressBar.quiet(false);   // a run in the same JVM (tests) starts from the default
    CommandLine cli = commandLine();
    boolean debug = java.util.Arrays.asList(args).contains("--debug");
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (debug) e.printStackTrace(cmd.getErr());
      else cmd.getErr().println(oneLine(cmd.getCommandSpec().qualifiedName(), e));
      cmd.getErr().flush();
      return 1;
    });
    cli.setParameterExceptionHandler((e, a) -> {
      PrintWriter err = e.getCommandLine().getErr();
      String command = e.getCommandLine().getCommandSpec().qualifiedName();
      err.println(command + ": " + e.getMessage() + " (see: " + command + " --help)");
      err.flush();
      return 2;
    });
    return cli.execute(args);
  }

  /** The command tree, as {@link #run} executes it. */
  static CommandLine commandLine() {
    return new CommandLine(new Main());
  }

  /** "neurite predict: image file not found: x.png": the command, then the message, on one line. */
  static String oneLine(String command, Throwable e) {
    // The JDK's file exceptions carry only the path as their message.
    String m = e.getMessage();
    if (e instanceof java.nio.file.NoSuchFileException f && m != null && m.equals(f.getFile())) m = "file not found: " + m;
    if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
    String sub = command.substring(command.indexOf(' ') + 1);   // "bench cnn": some messages name their command already
    if (command.contains(" ") && m.startsWith(sub + ": ")) m = m.substring(sub.length() + 2);
    return command + ": " + m.replace('\n', ' ');
  }
}
