package org.neurite.train;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.neurite.tensor.Rng;

/**
 * Batches of a dataset in a given order, assembled one or two ahead on a background thread (decoding
 * and augmentation overlap training). The thread is not a compute thread: it does no tensor math, so
 * it does not compete with the kernel pool. Each batch's random transforms draw from a generator
 * derived from (seed, batch index), so the batches do not depend on timing.
 *
 * <p>Not thread-safe: one thread iterates it, while its own worker thread assembles the batches.
 */
public final class Loader implements Iterator<Dataset.Batch>, AutoCloseable {
  private static final Object END = new Object();
  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(2);
  private final Thread worker;
  private final int batches;
  private int taken;

  /**
   * Starts assembling the batches of {@code order} on a background thread.
   *
   * @param data the dataset
   * @param order the sample indices, in visiting order
   * @param batchSize samples per batch (the last batch may be smaller)
   * @param seed the seed from which each batch's generator derives
   * @throws IllegalArgumentException if {@code batchSize < 1}
   */
  public Loader(Dataset data, int[] order, int batchSize, long seed) {
    if (batchSize < 1) throw new IllegalArgumentException("batchSize (" + batchSize + ") must be >= 1");
    this.batches = (order.length + batchSize - 1) / batchSize;
    worker = Thread.ofPlatform().daemon().name("neurite-loader").unstarted(() -> {
      try {
        for (int b = 0; b < batches; b++) {
          int from = b * batchSize, to = Math.min(order.length, from + batchSize);
          int[] idx = java.util.Arrays.copyOfRange(order, from, to);
          Object item;
          try {
            item = data.batch(idx, new Rng(seed * 1_000_003L + b));
          } catch (RuntimeException e) {
            item = e;
          }
          queue.put(item);
          if (item instanceof RuntimeException) return;
        }
        queue.put(END);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    worker.start();
  }

  /**
   * Number of batches in this pass.
   *
   * @return the batch count
   */
  public int batches() {
    return batches;
  }

  @Override
  public boolean hasNext() {
    return taken < batches;
  }

  @Override
  public Dataset.Batch next() {
    if (!hasNext()) throw new NoSuchElementException();
    try {
      Object item = queue.take();
      if (item instanceof RuntimeException e) throw e;
      taken++;
      return (Dataset.Batch) item;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a batch", e);
    }
  }

  @Override
  public void close() {
    worker.interrupt();
  }
}
