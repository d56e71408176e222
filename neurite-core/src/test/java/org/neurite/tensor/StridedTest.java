package org.neurite.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Strided copies: the blocked transpose path against the element formula, with offsets and ragged tiles. */
class StridedTest {
  @Test
  void transposedViewsCopyOutRowMajor() {
    for (int[] rc : new int[][] {{70, 45}, {33, 1}, {2, 97}, {64, 64}}) {
      int rows = rc[0], cols = rc[1];
      Tensor base = Tensor.randn(new Rng(rows * 31 + cols), cols + 3, rows + 5);   // [cols + 3, rows + 5]
      Tensor view = base.slice(0, 2, 2 + cols).slice(1, 1, 1 + rows).transpose(0, 1);   // [rows, cols], offset, ld = rows + 5
      assertEquals(1, view.strides()[0]);
      float[] got = view.toArray();
      for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
          assertEquals(base.data()[(2 + j) * (rows + 5) + 1 + i], got[i * cols + j], 0f, "(" + i + ", " + j + ") of " + rows + "x" + cols);
    }
  }
}
