package org.neurite.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** Contract 2: exit status 0 / 2 / 1 and one-line errors. */
class MainTest {
  private static int run(ByteArrayOutputStream err, String... args) {
    PrintStream old = System.err;
    System.setErr(new PrintStream(err, true));
    try {
      return Main.run(args);
    } finally {
      System.setErr(old);
    }
  }

  @Test
  void unknownCommandIsAUsageError() {
    var err = new ByteArrayOutputStream();
    assertEquals(2, run(err, "frobnicate"));
  }

  @Test
  void badValueIsAnErrorOnOneLine() {
    var err = new ByteArrayOutputStream();
    assertEquals(1, run(err, "bench", "cnn", "--config", "Z", "--reps", "1"));
    String msg = err.toString().strip();
    assertEquals("neurite bench cnn: --config must be A, B or C, got Z", msg);
  }

  @Test
  void versionExitsZero() {
    assertEquals(0, Main.run("--version"));
  }

  @Test
  void helpListsTheCommands() {
    var out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(out, true));
    try {
      assertEquals(0, Main.run("--help"));
    } finally {
      System.setOut(old);
    }
    assertTrue(out.toString().contains("demo") && out.toString().contains("bench"), out.toString());
  }

  @Test
  void outOfMemoryIsOneLineNamingTheFilesAndTheHeapToUse(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws java.io.IOException {
    java.nio.file.Path f = java.nio.file.Files.createFile(dir.resolve("x.npy"));
    String line = Main.outOfMemory(new String[] {"run", "--model", f.toString(), "--input", f.toString()},
        new OutOfMemoryError("Java heap space"), 1L << 30);
    assertEquals(-1, line.indexOf('\n'));
    org.junit.jupiter.api.Assertions.assertTrue(line.startsWith("neurite run: out of memory (Java heap space) while working on " + f),
        line);
    org.junit.jupiter.api.Assertions.assertTrue(line.contains("1024.0 MiB heap") && line.contains("NEURITE_JAVA_OPTS=-Xmx2g"), line);
  }
}
