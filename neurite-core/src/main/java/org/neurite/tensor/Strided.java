package org.neurite.tensor;

/**
 * Walks strided layouts in row-major order: gathering a view into a dense array, and visiting the
 * rows of up to three broadcast operands at once. The innermost dimension is the loop the caller runs,
 * so a kernel sees (array, offset, stride, length) runs.
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class Strided {
  private Strided() {}

  /** Visitor of one innermost run: {@code n} elements, start offsets and strides per operand. */
  @FunctionalInterface
  public interface Rows {
    /**
     * Visits one run.
     *
     * @param n the elements in the run
     * @param off each operand's start offset
     * @param stride each operand's innermost stride
     */
    void row(int n, int[] off, int[] stride);
  }

  /**
   * A dense row-major copy of {@code t}'s elements.
   *
   * @param t the tensor
   * @return a new array
   */
  public static float[] toArray(Tensor t) {
    int[] shape = t.shape();
    float[] out = new float[t.size()];
    float[] src = t.storage();
    int[] st = t.strides();
    if (shape.length == 2 && st[0] == 1 && st[1] > 1 && shape[0] > 1) {
      transposeBlocked(src, t.offset(), st[1], shape[0], shape[1], out);
      return out;
    }
    forEachRow(shape, new int[] {t.offset(), 0}, new int[][] {st, Shape.strides(shape)}, (n, off, stride) -> {
      int s = off[0], ss = stride[0], d = off[1];
      if (ss == 1) {
        System.arraycopy(src, s, out, d, n);
      } else {
        for (int i = 0; i < n; i++, s += ss) out[d + i] = src[s];
      }
    });
    return out;
  }

  /**
   * A transposed matrix view (element (i, j) at {@code off + i + j * ld}) copied out row-major in 32 x 32
   * tiles: the plain walk reads with stride {@code ld}, a cache miss per element once a column no longer
   * fits the cache (a Dense layer's weight gradient arrives as such a view, 44 M elements for the seed
   * CNN at 224 x 224).
   */
  private static void transposeBlocked(float[] src, int off, int ld, int rows, int cols, float[] out) {
    final int b = 32;
    for (int j0 = 0; j0 < cols; j0 += b) {
      int j1 = Math.min(cols, j0 + b);
      for (int i0 = 0; i0 < rows; i0 += b) {
        int i1 = Math.min(rows, i0 + b);
        for (int j = j0; j < j1; j++) {
          int from = off + j * ld;
          for (int i = i0; i < i1; i++) out[i * cols + j] = src[from + i];
        }
      }
    }
  }

  /**
   * Calls {@code rows} once per innermost row of {@code shape}, with each operand's start offset and
   * innermost stride. Operand {@code k} is addressed by {@code base[k] + sum(index[d] * strides[k][d])}.
   *
   * @param shape the shape walked
   * @param base each operand's base offset
   * @param strides each operand's strides over {@code shape}
   * @param rows the visitor
   */
  public static void forEachRow(int[] shape, int[] base, int[][] strides, Rows rows) {
    // Merge neighbouring dimensions that every operand walks contiguously, so a [64, 1] * [64, 1]
    // product is one run of 64, not 64 runs of 1.
    int[] dims = shape.clone();
    int[][] st = new int[strides.length][];
    for (int k = 0; k < strides.length; k++) st[k] = strides[k].clone();
    int r = 0;
    for (int d = 0; d < dims.length; d++) {
      if (r > 0 && mergeable(dims, st, r - 1, d)) {
        for (int[] s : st) s[r - 1] = s[d];
        dims[r - 1] *= dims[d];
      } else {
        dims[r] = dims[d];
        for (int[] s : st) s[r] = s[d];
        r++;
      }
    }
    shape = java.util.Arrays.copyOf(dims, r);
    for (int k = 0; k < st.length; k++) st[k] = java.util.Arrays.copyOf(st[k], r);
    strides = st;
    int ops = base.length;
    int[] off = base.clone();
    int[] inner = new int[ops];
    if (r == 0) {
      rows.row(1, off, inner);
      return;
    }
    for (int d : shape) if (d == 0) return;
    for (int k = 0; k < ops; k++) inner[k] = strides[k][r - 1];
    int n = shape[r - 1];
    int[] idx = new int[r];
    while (true) {
      rows.row(n, off, inner);
      int d = r - 2;
      while (d >= 0) {
        idx[d]++;
        for (int k = 0; k < ops; k++) off[k] += strides[k][d];
        if (idx[d] < shape[d]) break;
        for (int k = 0; k < ops; k++) off[k] -= strides[k][d] * shape[d];
        idx[d] = 0;
        d--;
      }
      if (d < 0) return;
    }
  }

  private static boolean mergeable(int[] dims, int[][] st, int outer, int inner) {
    for (int[] s : st) if (s[outer] != s[inner] * dims[inner]) return false;
    return true;
  }
}
