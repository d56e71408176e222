package org.neurite.nn;

import org.neurite.tensor.Rng;

/**
 * Where layers draw their initial weights from: one seeded generator per thread, so a model built
 * after {@code Seeds.set(42)} has the same weights on every run (Keras' {@code set_random_seed}).
 *
 * <p>Thread-safe: each thread has its own generator, and {@link #set} reseeds only the calling thread's.
 */
public final class Seeds {
  private static final ThreadLocal<Rng> RNG = ThreadLocal.withInitial(() -> new Rng(System.nanoTime()));

  private Seeds() {}

  /** Reseeds this thread's generator. */
  public static void set(long seed) {
    RNG.set(new Rng(seed));
  }

  /** Sets this thread's generator to {@code rng} and returns the one it replaces (for shape-only builds). */
  static Rng swap(Rng rng) {
    Rng old = RNG.get();
    RNG.set(rng);
    return old;
  }

  /** An independent generator for one layer's initialisation. */
  public static Rng next() {
    return RNG.get().split();
  }
}
