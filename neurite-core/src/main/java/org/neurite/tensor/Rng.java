package org.neurite.tensor;

import java.util.SplittableRandom;

/**
 * The seeded random source for initialisers, dropout and shuffling. Same seed, same numbers, on every
 * platform and thread count. Not thread-safe: give each thread its own ({@link #split()}).
 */
public final class Rng {
  private final SplittableRandom random;
  private double spareGaussian;
  private boolean hasSpare;

  /**
   * A generator seeded with {@code seed}: same seed, same numbers.
   *
   * @param seed the seed
   */
  public Rng(long seed) {
    this.random = new SplittableRandom(seed);
  }

  private Rng(SplittableRandom r) {
    this.random = r;
  }

  /**
   * An independent generator derived from this one.
   *
   * @return the new generator; this one advances
   */
  public Rng split() {
    return new Rng(random.split());
  }

  /**
   * Uniform in [0, 1).
   *
   * @return the number
   */
  public float nextFloat() {
    return (float) random.nextDouble();
  }

  /** {@return a double uniform in [0, 1)} */
  public double nextDouble() {
    return random.nextDouble();
  }

  /**
   * Uniform in [0, bound).
   *
   * @param bound the exclusive upper bound, {@code > 0}
   * @return the number
   */
  public int nextInt(int bound) {
    return random.nextInt(bound);
  }

  /** {@return a uniformly distributed long} */
  public long nextLong() {
    return random.nextLong();
  }

  /**
   * Standard normal, by the Marsaglia polar method.
   *
   * @return the number
   */
  public double nextGaussian() {
    if (hasSpare) {
      hasSpare = false;
      return spareGaussian;
    }
    double u, v, s;
    do {
      u = random.nextDouble() * 2 - 1;
      v = random.nextDouble() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    double m = Math.sqrt(-2 * Math.log(s) / s);
    spareGaussian = v * m;
    hasSpare = true;
    return u * m;
  }

  /**
   * Fisher-Yates shuffle of {@code a} in place.
   *
   * @param a the array to permute
   */
  public void shuffle(int[] a) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
