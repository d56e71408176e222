package org.neurite.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.io.SafeTensors;
import org.neurite.kernels.Parallel;
import org.neurite.nn.BatchNorm;
import org.neurite.nn.Conv2D;
import org.neurite.nn.Dense;
import org.neurite.nn.Flatten;
import org.neurite.nn.MaxPool2D;
import org.neurite.nn.Seeds;
import org.neurite.nn.Sequential;
import org.neurite.optim.Adam;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.testing.ChildJvm;

/**
 * Resumable training: a child JVM trains with {@code Fit.resume(dir)} and is killed with kill -9 in the
 * middle of an epoch after the first checkpoint; started again with the same arguments it resumes
 * from the checkpoint and must end with exactly the weights (bit for bit) of a run never
 * interrupted, made by the same child code (one thread, fixed seed). BatchNorm's running statistics
 * and Adam's moments and step counts are part of what must match.
 */
class ResumeKillTest {
  static final int EPOCHS = 4;

  static Sequential model() {
    Seeds.set(7);
    return Sequential.of(new Conv2D(8, 3).relu(), new BatchNorm(), new MaxPool2D(2), new Flatten(), new Dense(32).relu(),
        new Dense(4)).input(1, 12, 12);
  }

  static TensorDataset data() {
    Rng r = new Rng(11);
    Tensor x = Tensor.randn(r, 1536, 1, 12, 12);
    float[] y = new float[1536];
    for (int i = 0; i < y.length; i++) y[i] = (float) Math.floorMod(Math.round(x.data()[i * 144 + 70] * 3), 4);
    return new TensorDataset(x, Tensor.of(y, y.length));
  }

  /** The child: trains resumably in {@code args[0]}, prints each epoch start, saves the final weights. */
  public static void main(String[] args) throws Exception {
    Parallel.setThreads(1);
    Path root = Path.of(args[0]);
    Sequential m = model();
    m.compile(new Adam(3e-3f), Losses.sparseCategoricalCrossentropy());
    Callback marks = new Callback() {
      @Override
      public void onEpochBegin(Trainer t, int epoch) {
        System.out.println("epoch " + epoch);
      }
    };
    m.fit(data(), Fit.epochs(EPOCHS).batchSize(32).seed(5).verbose(true).resume(root.resolve("checkpoints")).callbacks(marks));
    SafeTensors.write(root.resolve("final.safetensors"), m.stateDict());
    System.out.println("done");
  }

  @TempDir
  Path dir;

  @Test
  void killedMidEpochThenResumedEndsWithTheUninterruptedWeights() throws Exception {
    Path ref = dir.resolve("reference"), run = dir.resolve("killed");
    try (ChildJvm c = ChildJvm.start(ResumeKillTest.class, ref.toString())) {
      assertEquals(0, c.waitFor(60), String.join("\n", c.output()));
    }
    long t0 = System.nanoTime();
    try (ChildJvm c = ChildJvm.start(ResumeKillTest.class, run.toString())) {
      c.await("epoch 2", 60);   // epochs 0 and 1 are checkpointed; kill inside epoch 2
      Thread.sleep(20 + new Random().nextInt(60));
      c.kill();
      assertTrue(c.output().stream().noneMatch(l -> l.startsWith("epoch 3")), "the kill came after epoch 2: " + c.output());
    }
    ChildJvm resumed = ChildJvm.start(ResumeKillTest.class, run.toString());
    try (resumed) {
      assertEquals(0, resumed.waitFor(60), String.join("\n", resumed.output()));
    }
    assertTrue(resumed.output().stream().anyMatch(l -> l.startsWith("Resuming from") && l.contains("at epoch 3/4")), resumed.output().toString());
    assertTrue(resumed.output().stream().noneMatch(l -> l.equals("epoch 0") || l.equals("epoch 1")), resumed.output().toString());
    Map<String, Tensor> want = SafeTensors.read(ref.resolve("final.safetensors")), got = SafeTensors.read(run.resolve("final.safetensors"));
    assertEquals(want.keySet(), got.keySet());
    for (var e : want.entrySet()) assertArrayEquals(e.getValue().data(), got.get(e.getKey()).data(), e.getKey());
    System.out.printf(java.util.Locale.ROOT, "resume-after-kill: %d tensors identical; killed and resumed run took %.1f s%n", want.size(),
        (System.nanoTime() - t0) / 1e9);
  }
}
