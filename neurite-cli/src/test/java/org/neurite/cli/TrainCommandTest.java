package org.neurite.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.train.CosineDecay;
import org.neurite.train.LearningRateScheduler;
import picocli.CommandLine;

/** {@code train image}'s defaults (issue 16): batch 32, Adam 2e-3, warm-up + cosine per step, label smoothing 0.1. */
class TrainCommandTest {
  @Test
  void imageDefaultsAndTheScheduleTheyPick() {
    TrainCommand.Image image = new TrainCommand.Image();
    new CommandLine(image).parseArgs("--out", "runs/x");
    assertEquals(32, image.batchSize);
    assertEquals(2e-3f, image.lr);
    assertEquals(0.1f, image.labelSmoothing);
    assertEquals(null, image.lrDecay);
    assertInstanceOf(CosineDecay.class, TrainCommand.schedule(image.lrDecay, image.epochs, image.lr));
    new CommandLine(image).parseArgs("--out", "runs/x", "--lr-decay", "0.25");
    assertInstanceOf(LearningRateScheduler.class, TrainCommand.schedule(image.lrDecay, image.epochs, image.lr));
  }

  /**
   * {@code --resume} goes through Fit.resume: one epoch, then one more resumed, ends as two in one go (with a per-epoch
   * schedule, which does not depend on --epochs as the default cosine does).
   */
  @Test
  void aResumedRunEndsWithTheWeightsOfAnUninterruptedOne(@TempDir Path tmp) throws Exception {
    Path data = FinetuneCommandTest.folder(tmp.resolve("data"), "a", "b");
    String[] common = {"train", "image", "--data", data.toString(), "--size", "12x12", "--model", "lenet", "--batch-size", "4", "--lr-decay", "0.5", "-q"};
    Cli whole = Cli.run(concat(common, "--epochs", "2", "--out", tmp.resolve("whole").toString()));
    assertEquals(0, whole.status(), whole.toString());
    Cli first = Cli.run(concat(common, "--epochs", "1", "--out", tmp.resolve("resumed").toString()));
    assertEquals(0, first.status(), first.toString());
    Cli rest = Cli.run(concat(common, "--epochs", "2", "--resume", "--out", tmp.resolve("resumed").toString()));
    assertEquals(0, rest.status(), rest.toString());
    var resumed = org.neurite.io.ModelFiles.load(tmp.resolve("resumed/model")).stateDict();
    org.neurite.io.ModelFiles.load(tmp.resolve("whole/model")).stateDict()
        .forEach((k, v) -> assertArrayEquals(v.toArray(), resumed.get(k).toArray(), 0f, k));
    Cli again = Cli.run(concat(common, "--epochs", "2", "--resume", "--out", tmp.resolve("resumed").toString()));
    assertEquals(1, again.status(), again.toString());
    assertTrue(again.err().contains("already finished"), again.err());
    Cli none = Cli.run(concat(common, "--epochs", "2", "--resume", "--out", tmp.resolve("none").toString()));
    assertTrue(none.err().contains("--resume: no checkpoint at"), none.err());
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
