package org.neurite.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Keras-style progress: on a terminal a bar redrawn in place with ETA, loss, metrics and samples/s;
 * otherwise (a log file, CI) one line per epoch.
 */
final class Progress {
  private final PrintStream out;
  private final boolean terminal;
  private long start, lastDraw;

  Progress(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  static boolean isTerminal() {
    var console = System.console();
    if (console == null) return false;
    try {   // Console.isTerminal() exists from JDK 22 on; before, a console means a terminal.
      return (Boolean) console.getClass().getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  void epochBegin(int epoch, int epochs) {
    out.printf(Locale.ROOT, "Epoch %d/%d%n", epoch + 1, epochs);
    start = System.nanoTime();
    lastDraw = 0;
  }

  /** True when {@link #batch} draws anything (a terminal); the trainer skips building its logs otherwise. */
  boolean drawsBatches() {
    return terminal;
  }

  void batch(int done, int total, long samples, Map<String, Double> running) {
    if (!terminal) return;
    long now = System.nanoTime();
    if (done < total && now - lastDraw < 100_000_000L) return;   // redraw at most 10 times a second
    lastDraw = now;
    double secs = (now - start) / 1e9;
    String bar = ProgressBar.bar(done, total, 30);
    double eta = done == 0 ? 0 : secs / done * (total - done);
    out.printf(Locale.ROOT, "\r%" + digits(total) + "d/%d [%s] - ETA: %s%s - %.0f samples/s ", done, total, bar,
        ProgressBar.duration(eta), format(running), samples / Math.max(secs, 1e-9));
    out.flush();
  }

  void epochEnd(int total, long samples, Map<String, Double> logs) {
    double secs = (System.nanoTime() - start) / 1e9;
    if (terminal) out.print("\r");
    out.printf(Locale.ROOT, "%d/%d - %s%s - %.0f samples/s%s%n", total, total, ProgressBar.duration(secs), format(logs),
        samples / Math.max(secs, 1e-9), terminal ? "          " : "");
    out.flush();
  }

  private static String format(Map<String, Double> logs) {
    StringBuilder sb = new StringBuilder();
    logs.forEach((k, v) -> {
      if (!k.equals("lr")) sb.append(String.format(Locale.ROOT, " - %s: %.4f", k, v));
    });
    return sb.toString();
  }

  private static int digits(int n) {
    return Integer.toString(n).length();
  }
}
