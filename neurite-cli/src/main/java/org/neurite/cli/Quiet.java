package org.neurite.cli;

import org.neurite.train.ProgressBar;
import picocli.CommandLine.Option;

/** {@code -q/--quiet} of the long commands: no progress output; results, warnings and errors still print. */
final class Quiet {
  boolean on;

  @Option(names = {"-q", "--quiet"}, description = "No progress output (progress bars, per-epoch lines, model summaries): results only.")
  void set(boolean quiet) {
    on = quiet;
    ProgressBar.quiet(quiet);   // the bars drawn inside the library (loading images) read it there
    if (quiet) Logs.quiet();      // and the library's progress lines (System.Logger, INFO)
  }
}
