package org.neurite.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;
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
}
