package org.neurite.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.neurite.nn.Conv2D;
import org.neurite.nn.Seeds;
import org.neurite.nn.Sequential;
import org.neurite.tensor.Tensor;

/** The kernel warm-up runs on its own thread and leaves the caller's seeded initialisation alone. */
class WarmupTest {
  private static float[] seededWeights() {
    Sequential m = Sequential.of(new Conv2D(4, 3)).input(1, 8, 8);
    return m.namedParameters().get("layers.0.weight").toArray();
  }

  @Test
  void aWarmUpBetweenSeedingAndBuildingChangesNoWeights() {
    Seeds.set(5);
    float[] plain = seededWeights();
    Seeds.set(5);
    Warmup.forBatches(Warmup.LARGE_BATCH_BYTES, 1);
    Tensor.zeros(1);   // the caller's thread goes on as before
    assertArrayEquals(plain, seededWeights());
  }
}
