package org.neurite.train;

import org.neurite.nn.Conv2D;
import org.neurite.nn.Dense;
import org.neurite.nn.Flatten;
import org.neurite.nn.MaxPool2D;
import org.neurite.nn.Sequential;
import org.neurite.ops.Functional;
import org.neurite.optim.Adam;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.tensor.Workspace;

/**
 * Gets the convolution, pooling, GEMM and Adam kernels compiled before a large-image step runs them.
 *
 * <p>Why: until the JIT has compiled a kernel, its Vector API code allocates a boxed object per vector
 * operation. A first step on 16 images of 3x224x224 runs seconds of such code and throws away gigabytes
 * of boxes; G1 reads the frequent collections as a sign that the heap is too small and expands it, and
 * the process keeps that memory. Measured on the seed CNN at config C: 2.5-3.4 GB peak RSS without a
 * warm-up, 1.9 GB after one. A few dozen steps of a small CNN on random 48x48 images (about a second on
 * two cores) run the same kernels often enough to have them compiled, with the garbage spread over
 * collections of a heap still small.
 *
 * <p>An opt-in ({@link Fit#warmup}; the CLI and the benchmarks turn it on), not part of the training loop.
 * Runs once per process, on a thread of its own: layer initialisation draws from that thread's
 * generator ({@link org.neurite.nn.Seeds} is per thread), so the caller's seeded models and results are
 * the same with or without it.
 *
 * <p>Thread-safe: the warm-up is synchronized and runs at most once per process.
 */
public final class Warmup implements Callback {
  /** Input batches of at least this many bytes are large (the launcher also picks G1 for them): 3x224x224 at batch 16 is 9.6 MB. */
  public static final long LARGE_BATCH_BYTES = 8L << 20;

  private static final int STEPS = 30, SIZE = 48, BATCH = 16;
  private static boolean done;

  /** The opt-in of {@link Fit#warmup}: before the first epoch, warms up once when the model's input batches are large images. */
  Warmup() {}

  @Override
  public void onTrainBegin(Trainer trainer) {
    int[] s = trainer.model().inputShape();
    if (s != null && s.length == 3) forBatches(4L * s[0] * s[1] * s[2] * trainer.running().batchSize, s[0]);
  }

  /**
   * Warms the kernels up once when {@code batchBytes} (one input batch, in bytes) is large; else returns.
   *
   * @param batchBytes the bytes of one input batch
   * @param channels the input channels
   */
  public static void forBatches(long batchBytes, int channels) {
    // Image-like inputs: at most 4 channels, the first convolution's thin path; a wider input (feature
    // maps) warms up on 4, which runs the same kernels at a fraction of the cost.
    if (batchBytes >= LARGE_BATCH_BYTES) cnnKernels(Math.max(1, Math.min(channels, 4)));
  }

  /**
   * Trains a small seed-style CNN on {@code channels}-channel noise for a few steps, once per process.
   *
   * @param channels the input channels of the noise
   */
  public static synchronized void cnnKernels(int channels) {
    if (done) return;
    done = true;
    Thread t = new Thread(() -> {
      Rng rng = new Rng(1);
      Sequential m = Sequential.of(
          new Conv2D(32, 3).relu(), new MaxPool2D(2),
          new Conv2D(64, 3).relu(), new MaxPool2D(2),
          new Conv2D(128, 3).relu(), new MaxPool2D(2),
          new Flatten(), new Dense(64).relu(), new Dense(10)).input(channels, SIZE, SIZE);
      Adam adam = new Adam(m.parameters(), 1e-3f);
      Tensor x = Tensor.randn(rng, BATCH, channels, SIZE, SIZE);
      float[] labels = new float[BATCH];
      for (int i = 0; i < BATCH; i++) labels[i] = i % 10;
      Tensor y = Tensor.of(labels, BATCH);
      Workspace ws = new Workspace();
      for (int s = 0; s < STEPS; s++) {
        adam.zeroGrad();
        try (var scope = ws.enter()) {
          Functional.crossEntropy(m.forward(x), y).backward();
        }
        adam.step();
      }
    }, "neurite-warmup");
    t.start();
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
