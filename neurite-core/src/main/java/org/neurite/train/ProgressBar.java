package org.neurite.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar for a long step that is not a training epoch: loading a data set, evaluating, training word
 * vectors. Drawn in place on the console, as {@code fit}'s epoch bar is, and only there: when stdout is a log file
 * or a pipe nothing is drawn, so redirected output holds results only. Not drawn either after
 * {@link #quiet(boolean) quiet(true)}, which the command line's {@code --quiet} sets. Not a logger: when the step
 * ends the bar is erased, and the results printed next take its line.
 *
 * <p>Not stderr: the launcher filters stderr a line at a time (to drop the JVM's incubator warning), which would
 * hold a bar redrawn with carriage returns until the next newline.
 *
 * <pre>{@code
 * try (ProgressBar bar = ProgressBar.start("evaluating", n)) {
 *   for (int i = 0; i < n; i += 256) { ...; bar.advance(Math.min(256, n - i)); }
 * }
 * }</pre>
 */
public final class ProgressBar implements AutoCloseable {
  private static volatile boolean quiet;

  private final String label;
  private final long total, start = System.nanoTime();
  private final PrintStream out;   // null: draw nothing
  private long done, lastDraw = start;   // the first draw after 0.1 s: a quick step draws nothing
  private boolean drawn;

  ProgressBar(String label, long total, PrintStream out) {
    this.label = label;
    this.total = Math.max(total, 1);
    this.out = out;
  }

  /** A bar for {@code total} units of work, drawn when stdout is a terminal and progress is not {@link #quiet}. */
  public static ProgressBar start(String label, long total) {
    return new ProgressBar(label, total, !quiet && Progress.isTerminal() ? System.out : null);
  }

  /** Whether this bar is drawn; where it is not, a caller may log progress lines instead. */
  public boolean visible() {
    return out != null;
  }

  /** Turns every bar off (true), or back on (false) where there is a terminal to draw them on. */
  public static void quiet(boolean q) {
    quiet = q;
  }

  public static boolean quiet() {
    return quiet;
  }

  /** {@code n} more units are done. */
  public void advance(long n) {
    done = Math.min(total, done + n);
    if (out == null) return;
    long now = System.nanoTime();
    if (now - lastDraw < 100_000_000L && done < total) return;   // redraw at most 10 times a second
    lastDraw = now;
    double secs = (now - start) / 1e9, eta = done == 0 ? 0 : secs / done * (total - done);
    out.printf(Locale.ROOT, "\r%s %d/%d [%s] - ETA: %s ", label, done, total, bar(done, total, 30), duration(eta));
    out.flush();
    drawn = true;
  }

  /** Erases the bar: the step's own output (a result line) takes its place. */
  @Override
  public void close() {
    if (out == null || !drawn) return;
    out.print("\r" + " ".repeat(label.length() + 2 * Long.toString(total).length() + 50) + "\r");
    out.flush();
  }

  /** Keras's bar: "=====>......" with {@code width} characters. */
  static String bar(long done, long total, int width) {
    int filled = (int) (width * done / Math.max(total, 1));
    return "=".repeat(Math.max(0, filled - 1)) + (done < total ? ">" : "=") + ".".repeat(width - filled);
  }

  static String duration(double s) {
    if (s < 60) return String.format(Locale.ROOT, "%.0fs", Math.ceil(s));
    return String.format(Locale.ROOT, "%dm%02ds", (long) s / 60, (long) s % 60);
  }
}
