package org.neurite.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

/** One in-process run of {@code neurite ARGS}: its exit status and what it printed to stdout and stderr. */
record Cli(int status, String out, String err) {
  static synchronized Cli run(String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out, oldErr = System.err;
    System.setOut(new PrintStream(out, true));
    System.setErr(new PrintStream(err, true));
    try {
      int status = Main.run(args);
      return new Cli(status, out.toString(), err.toString());
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Override
  public String toString() {
    return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }
}
