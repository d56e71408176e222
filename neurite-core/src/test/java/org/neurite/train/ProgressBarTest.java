package org.neurite.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** {@link ProgressBar}: drawn in place, erased at the end, never drawn off a terminal or when quiet. */
class ProgressBarTest {
  @Test
  void drawsInPlaceThenErasesItself() throws Exception {
    var bytes = new ByteArrayOutputStream();
    try (var bar = new ProgressBar("loading", 10, new PrintStream(bytes, true))) {
      Thread.sleep(120);   // the first draw waits 0.1 s
      bar.advance(3);
      assertTrue(bytes.toString().matches("\rloading 3/10 \\[={8}>\\.{21}\\] - ETA: \\d+s "), bytes.toString());
      bar.advance(7);   // done: drawn at once
      assertTrue(bytes.toString().endsWith("\rloading 10/10 [==============================] - ETA: 0s "), bytes.toString());
    }
    assertTrue(bytes.toString().matches("(?s).*\r {20,}\r"), "erased: " + bytes);
  }

  @Test
  void aQuickStepDrawsNothing() {
    var bytes = new ByteArrayOutputStream();
    try (var bar = new ProgressBar("x", 2, new PrintStream(bytes, true))) {
      bar.advance(1);
    }
    assertEquals("", bytes.toString());
  }

  @Test
  void quietOrNoTerminalMeansNoBar() {
    ProgressBar.quiet(true);
    try {
      assertFalse(ProgressBar.start("x", 1).visible());
    } finally {
      ProgressBar.quiet(false);
    }
    assertFalse(ProgressBar.start("x", 1).visible(), "tests run without a terminal");
    assertEquals("=".repeat(9) + ">" + ".".repeat(20), ProgressBar.bar(1, 3, 30));
  }
}
