package org.neurite.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.io.ModelFiles;
import org.neurite.nn.BatchNorm;
import org.neurite.nn.Conv2D;
import org.neurite.nn.Dense;
import org.neurite.nn.Dropout;
import org.neurite.nn.Flatten;
import org.neurite.nn.MaxPool2D;
import org.neurite.nn.Padding;
import org.neurite.nn.Seeds;
import org.neurite.nn.Sequential;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * Concurrent inference: a loaded model (a small CNN with BatchNorm and Dropout, which behave
 * differently in training mode) answers 4,000 requests from 16 threads at once; every answer must
 * equal, bit for bit, the answer computed alone on one thread first. Bounded at 60 s; prints the
 * throughput and the latencies (p50, p99).
 */
class ConcurrentPredictTest {
  @TempDir
  Path dir;

  @Test
  void sixteenThreadsGetTheSingleThreadAnswers() throws Exception {
    Seeds.set(21);
    Sequential trained = Sequential.of(new Conv2D(8, 3).padding(Padding.SAME).relu(), new BatchNorm(), new MaxPool2D(2),
        new Conv2D(16, 3).relu(), new MaxPool2D(2), new Dropout(0.3f), new Flatten(), new Dense(32).relu(), new Dense(10).softmax())
        .input(1, 16, 16);
    trained.train(true).forward(Tensor.randn(new Rng(1), 8, 1, 16, 16));   // BatchNorm statistics away from their defaults
    ModelFiles.save(trained, dir.resolve("m"));
    Sequential model = ModelFiles.load(dir.resolve("m"));   // loaded: in training mode until predict switches it

    int inputs = 64, threads = 16, requests = 4000;
    Tensor[] x = new Tensor[inputs];
    float[][] expected = new float[inputs][];
    for (int i = 0; i < inputs; i++) {
      x[i] = Tensor.randn(new Rng(100 + i), 1 + i % 4, 1, 16, 16);
      expected[i] = model.predict(x[i]).data().clone();
    }
    assertTrue(model.isTraining(), "predict puts the model's mode back");

    long[] latency = new long[requests];
    AtomicInteger next = new AtomicInteger(), wrong = new AtomicInteger();
    long deadline = System.nanoTime() + 60_000_000_000L;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long t0 = System.nanoTime();
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < threads; t++)
      fs.add(pool.submit(() -> {
        for (int r; (r = next.getAndIncrement()) < requests && System.nanoTime() < deadline; ) {
          int i = ThreadLocalRandom.current().nextInt(inputs);
          long s = System.nanoTime();
          float[] got = model.predict(x[i]).data();
          latency[r] = System.nanoTime() - s;
          if (!Arrays.equals(got, expected[i])) wrong.incrementAndGet();
        }
        return null;
      }));
    for (Future<?> f : fs) f.get();
    double seconds = (System.nanoTime() - t0) / 1e9;
    pool.shutdown();
    int done = Math.min(next.get(), requests);
    long[] lat = Arrays.copyOf(latency, done);
    Arrays.sort(lat);
    System.out.printf(Locale.ROOT, "concurrent-predict: %d requests from %d threads in %.2f s: %.0f requests/s, latency p50 %.2f ms, "
        + "p99 %.2f ms, max %.2f ms; wrong answers: %d%n", done, threads, seconds, done / seconds, lat[done / 2] / 1e6,
        lat[(int) (done * 0.99)] / 1e6, lat[done - 1] / 1e6, wrong.get());
    assertEquals(requests, done, "all requests answered within the time bound");
    assertEquals(0, wrong.get(), "answers that differ from the single-thread answer");
    assertTrue(model.isTraining(), "the model's mode is restored when the last prediction ends");
  }
}
