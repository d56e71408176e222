package org.neurite.tensor;

import java.util.Arrays;

/**
 * Shape arithmetic on {@code int[]} dimensions: sizes, row-major strides, NumPy broadcasting and axis
 * normalisation. Every error names the op and prints shapes as {@code [a, b]}.
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class Shape {
  private Shape() {}

  /**
   * Number of elements; 1 for a scalar shape {@code []}.
   *
   * @param shape the shape
   * @return the product of its dimensions
   */
  public static int size(int[] shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + str(shape));
      n *= d;
    }
    if (n > Integer.MAX_VALUE - 8)
      throw new IllegalArgumentException("shape " + str(shape) + " has " + n + " elements, more than a Java array holds");
    return (int) n;
  }

  /**
   * Row-major (C order) strides of a contiguous tensor of this shape.
   *
   * @param shape the shape
   * @return one stride per dimension, in elements
   */
  public static int[] strides(int[] shape) {
    int[] s = new int[shape.length];
    int acc = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= Math.max(shape[i], 1);
    }
    return s;
  }

  /**
   * {@code [a, b, c]}, as PyTorch prints shapes.
   *
   * @param shape the shape
   * @return its text
   */
  public static String str(int[] shape) {
    return Arrays.toString(shape);
  }

  /**
   * The broadcast shape of {@code a} and {@code b} under NumPy's rules: align trailing dimensions;
   * each pair must be equal or contain a 1.
   *
   * @param op the op, for the error message
   * @param a one shape
   * @param b the other
   * @return the broadcast shape
   * @throws IllegalArgumentException naming the op and both shapes if they do not broadcast
   */
  public static int[] broadcast(String op, int[] a, int[] b) {
    int r = Math.max(a.length, b.length);
    int[] out = new int[r];
    for (int i = 0; i < r; i++) {
      int da = i < r - a.length ? 1 : a[i - (r - a.length)];
      int db = i < r - b.length ? 1 : b[i - (r - b.length)];
      if (da != db && da != 1 && db != 1)
        throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b)
            + " do not broadcast: dimension " + i + " is " + da + " vs " + db);
      out[i] = da == 1 ? db : da;
    }
    return out;
  }

  /**
   * Strides for reading a tensor of {@code shape}/{@code strides} as if it had {@code target} shape:
   * broadcast dimensions get stride 0.
   *
   * @param shape the operand's shape
   * @param strides the operand's strides
   * @param target the broadcast shape
   * @return the operand's strides over {@code target}
   */
  public static int[] broadcastStrides(int[] shape, int[] strides, int[] target) {
    int[] out = new int[target.length];
    int off = target.length - shape.length;
    for (int i = 0; i < shape.length; i++) out[i + off] = shape[i] == 1 ? 0 : strides[i];
    return out;
  }

  /**
   * Maps a possibly negative axis to {@code [0, rank)}, naming the op when it is out of range.
   *
   * @param op the op, for the error message
   * @param axis the axis, negative counting from the end
   * @param rank the tensor's rank
   * @return the axis in {@code [0, rank)}
   * @throws IllegalArgumentException if it is out of range
   */
  public static int axis(String op, int axis, int rank) {
    int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank)
      throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for a tensor of rank " + rank);
    return a;
  }

  /**
   * Whether two shapes are the same.
   *
   * @param a one shape
   * @param b the other
   * @return whether they are equal
   */
  public static boolean same(int[] a, int[] b) {
    return Arrays.equals(a, b);
  }
}
