package org.neurite.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Routes the library's {@link System.Logger} output (the JDK's default backend, java.util.logging) to
 * stderr as plain one-line messages: progress at INFO, warnings prefixed {@code neurite: warning:}.
 * A library user's application keeps its own logging setup; only the command line installs this.
 */
final class Logs {
  // Held strongly: java.util.logging keeps only weak references to loggers, and a collected logger
  // would lose this configuration.
  private static final Logger NEURITE = Logger.getLogger("org.neurite");

  private Logs() {}

  static void install() {
    ConsoleHandler h = new ConsoleHandler();   // stderr
    h.setLevel(Level.ALL);
    h.setFormatter(new Formatter() {
      @Override
      public String format(LogRecord r) {
        String m = formatMessage(r);
        return (r.getLevel().intValue() >= Level.WARNING.intValue() ? "neurite: warning: " + m : m) + System.lineSeparator();
      }
    });
    NEURITE.setUseParentHandlers(false);
    for (var old : NEURITE.getHandlers()) NEURITE.removeHandler(old);
    NEURITE.addHandler(h);
    NEURITE.setLevel(Level.INFO);
  }

  /** Only warnings and errors from now on (--quiet). */
  static void quiet() {
    NEURITE.setLevel(Level.WARNING);
  }
}
