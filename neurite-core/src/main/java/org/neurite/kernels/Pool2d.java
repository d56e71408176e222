package org.neurite.kernels;

import java.util.Arrays;

/**
 * 2-D pooling kernels on NCHW float arrays with PyTorch's semantics (floor mode, no divisor
 * override): max pooling recording the argmax of each window, average pooling with or without the
 * padded cells in the divisor, and global average pooling; forward and backward.
 *
 * <p>Max pooling: padded cells never win; ties keep the first maximum in window order (row by row),
 * and a NaN wins over numbers (the last NaN of a window, as PyTorch's CPU kernel). The argmax is the
 * index within the input plane, {@code h * W + w}, as PyTorch's {@code return_indices}.
 *
 * <p>Every kernel splits the {@code batch * channels} planes over {@link Parallel}. The common 2x2
 * stride-2 unpadded window has its own loop (no window bounds to clamp); the general loops beside
 * it are also the scalar references the tests compare against. Backward kernels overwrite dx.
 *
 * <p>General windows ({@link PoolWindow}: ceil mode, dilation, asymmetric padding) have direct loops of
 * their own at the end, and max pooling for inference a faster loop without the argmax. Not here:
 * fractional or adaptive pooling (beyond the global average).
 *
 * <p>Thread-safe: static methods with no shared mutable state; concurrent calls must write to disjoint
 * output arrays.
 */
public final class Pool2d {
  private Pool2d() {}

  /** Planes per parallel share at least: a plane is a few hundred cells of cheap work. */
  private static final int GRAIN = 16;

  private static void checkLength(String name, float[] a, long need) {
    if (a.length < need)
      throw new IllegalArgumentException("pool2d: " + name + " has " + a.length + " elements, needs " + need);
  }

  private static void check(PoolGeometry g, int xLen, int yLen) {
    long planes = (long) g.batch() * g.channels();
    if (xLen < planes * g.inH() * g.inW())
      throw new IllegalArgumentException("pool2d: x/dx has " + xLen + " elements, needs " + planes * g.inH() * g.inW());
    if (yLen < planes * g.outH() * g.outW())
      throw new IllegalArgumentException("pool2d: y/dy/argmax has " + yLen + " elements, needs "
          + planes * g.outH() * g.outW());
  }

  private static boolean is2x2Stride2(PoolGeometry g) {
    return g.kH() == 2 && g.kW() == 2 && g.strideH() == 2 && g.strideW() == 2 && g.padH() == 0 && g.padW() == 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Max pooling

  /**
   * y = the maximum of each window; argmax = its index within the input plane.
   *
   * @param x      [B, C, H, W]
   * @param y      [B, C, Ho, Wo], overwritten
   * @param argmax [B, C, Ho, Wo], overwritten
   */
  public static void maxForward(PoolGeometry g, float[] x, float[] y, int[] argmax) {
    check(g, x.length, Math.min(y.length, argmax.length));
    // The general loop is the 2x2 window's scalar twin: the same cells in the same order.
    boolean fast = Simd.ENABLED && is2x2Stride2(g);
    int lanes = Simd.FLOAT_LANES;
    Parallel.forRange(g.batch() * g.channels(), GRAIN, (p0, p1) -> {
      float[] tv = fast ? new float[lanes] : null, tu = fast ? new float[4 * lanes] : null;
      int[] ti = fast ? new int[lanes] : null;
      for (int p = p0; p < p1; p++) {
        if (fast) Pool2dVector.maxPlane2x2(g, x, y, argmax, p, tv, ti, tu);
        else maxPlane(g, x, y, argmax, p);
      }
    });
  }

  /**
   * dx = dy scattered (added) to the argmax of each window; dx is overwritten.
   *
   * @param dy     [B, C, Ho, Wo]
   * @param argmax [B, C, Ho, Wo] from {@link #maxForward}
   * @param dx     [B, C, H, W], overwritten
   */
  public static void maxBackward(PoolGeometry g, float[] dy, int[] argmax, float[] dx) {
    check(g, dx.length, Math.min(dy.length, argmax.length));
    Parallel.forRange(g.batch() * g.channels(), GRAIN, (p0, p1) -> {
      for (int p = p0; p < p1; p++) maxBackPlane(g, dy, argmax, dx, p);
    });
  }

  /** The reference for {@link #maxForward}: the general window loop, serial. */
  public static void maxForwardScalar(PoolGeometry g, float[] x, float[] y, int[] argmax) {
    check(g, x.length, Math.min(y.length, argmax.length));
    for (int p = 0, n = g.batch() * g.channels(); p < n; p++) maxPlane(g, x, y, argmax, p);
  }

  /** The reference for {@link #maxBackward}, serial. */
  public static void maxBackwardScalar(PoolGeometry g, float[] dy, int[] argmax, float[] dx) {
    check(g, dx.length, Math.min(dy.length, argmax.length));
    for (int p = 0, n = g.batch() * g.channels(); p < n; p++) maxBackPlane(g, dy, argmax, dx, p);
  }

  /** Plane p of max pooling, any window. */
  private static void maxPlane(PoolGeometry g, float[] x, float[] y, int[] argmax, int p) {
    int h = g.inH(), w = g.inW(), oh = g.outH(), ow = g.outW();
    int xo = p * h * w, yo = p * oh * ow;
    for (int i = 0; i < oh; i++) {
      int hs = i * g.strideH() - g.padH(), he = Math.min(hs + g.kH(), h);
      hs = Math.max(hs, 0);
      for (int j = 0; j < ow; j++) {
        int ws = j * g.strideW() - g.padW(), we = Math.min(ws + g.kW(), w);
        ws = Math.max(ws, 0);
        float best = Float.NEGATIVE_INFINITY;
        int at = hs * w + ws; // an all -inf window reports its first cell, as PyTorch
        for (int r = hs; r < he; r++)
          for (int c = ws; c < we; c++) {
            float v = x[xo + r * w + c];
            if (v > best || Float.isNaN(v)) {
              best = v;
              at = r * w + c;
            }
          }
        y[yo + i * ow + j] = best;
        argmax[yo + i * ow + j] = at;
      }
    }
  }

  private static void maxBackPlane(PoolGeometry g, float[] dy, int[] argmax, float[] dx, int p) {
    int hw = g.inH() * g.inW(), ohw = g.outH() * g.outW();
    int xo = p * hw, yo = p * ohw;
    Arrays.fill(dx, xo, xo + hw, 0f);
    for (int j = 0; j < ohw; j++) dx[xo + argmax[yo + j]] += dy[yo + j];
  }

  // ---------------------------------------------------------------------------------------------
  // Average pooling

  /**
   * y = the mean of each window. Padded cells count as zeros; with countIncludePad (PyTorch's
   * default) the divisor is the window clipped to the padded input, else only its real cells.
   *
   * @param x [B, C, H, W]
   * @param y [B, C, Ho, Wo], overwritten
   */
  public static void avgForward(PoolGeometry g, boolean countIncludePad, float[] x, float[] y) {
    check(g, x.length, y.length);
    boolean fast = is2x2Stride2(g);
    Parallel.forRange(g.batch() * g.channels(), GRAIN, (p0, p1) -> {
      for (int p = p0; p < p1; p++) {
        if (fast) avgPlane2x2(g, x, y, p);
        else avgPlane(g, countIncludePad, x, y, p);
      }
    });
  }

  /**
   * dx = dy spread evenly over each window (the adjoint of {@link #avgForward}); dx is overwritten.
   *
   * @param dy [B, C, Ho, Wo]
   * @param dx [B, C, H, W], overwritten
   */
  public static void avgBackward(PoolGeometry g, boolean countIncludePad, float[] dy, float[] dx) {
    check(g, dx.length, dy.length);
    Parallel.forRange(g.batch() * g.channels(), GRAIN, (p0, p1) -> {
      for (int p = p0; p < p1; p++) avgBackPlane(g, countIncludePad, dy, dx, p);
    });
  }

  /** The reference for {@link #avgForward}: the general window loop, serial. */
  public static void avgForwardScalar(PoolGeometry g, boolean countIncludePad, float[] x, float[] y) {
    check(g, x.length, y.length);
    for (int p = 0, n = g.batch() * g.channels(); p < n; p++) avgPlane(g, countIncludePad, x, y, p);
  }

  /** The reference for {@link #avgBackward}, serial. */
  public static void avgBackwardScalar(PoolGeometry g, boolean countIncludePad, float[] dy, float[] dx) {
    check(g, dx.length, dy.length);
    for (int p = 0, n = g.batch() * g.channels(); p < n; p++) avgBackPlane(g, countIncludePad, dy, dx, p);
  }

  /** The divisor of the window starting at (hs, ws) before clipping, PyTorch's rule. */
  private static int divisor(PoolGeometry g, boolean countIncludePad, int hs, int ws) {
    int h = g.inH(), w = g.inW();
    int he = Math.min(hs + g.kH(), h + g.padH()), we = Math.min(ws + g.kW(), w + g.padW());
    if (countIncludePad) return (he - hs) * (we - ws);
    return (Math.min(he, h) - Math.max(hs, 0)) * (Math.min(we, w) - Math.max(ws, 0));
  }

  private static void avgPlane(PoolGeometry g, boolean countIncludePad, float[] x, float[] y, int p) {
    int h = g.inH(), w = g.inW(), oh = g.outH(), ow = g.outW();
    int xo = p * h * w, yo = p * oh * ow;
    for (int i = 0; i < oh; i++) {
      int hs = i * g.strideH() - g.padH();
      for (int j = 0; j < ow; j++) {
        int ws = j * g.strideW() - g.padW();
        float sum = 0f;
        for (int r = Math.max(hs, 0), re = Math.min(hs + g.kH(), h); r < re; r++)
          for (int c = Math.max(ws, 0), ce = Math.min(ws + g.kW(), w); c < ce; c++) sum += x[xo + r * w + c];
        y[yo + i * ow + j] = sum / divisor(g, countIncludePad, hs, ws);
      }
    }
  }

  /** Plane p of 2x2 stride-2 unpadded average pooling: the divisor is always 4. */
  private static void avgPlane2x2(PoolGeometry g, float[] x, float[] y, int p) {
    int w = g.inW(), oh = g.outH(), ow = g.outW();
    int xo = p * g.inH() * w, yo = p * oh * ow;
    for (int i = 0; i < oh; i++) {
      int r0 = xo + 2 * i * w, r1 = r0 + w, yr = yo + i * ow;
      for (int j = 0; j < ow; j++) {
        int c = 2 * j;
        // Summed in the general loop's order so both give the same bits.
        y[yr + j] = (x[r0 + c] + x[r0 + c + 1] + x[r1 + c] + x[r1 + c + 1]) / 4;
      }
    }
  }

  private static void avgBackPlane(PoolGeometry g, boolean countIncludePad, float[] dy, float[] dx, int p) {
    int h = g.inH(), w = g.inW(), oh = g.outH(), ow = g.outW();
    int xo = p * h * w, yo = p * oh * ow;
    Arrays.fill(dx, xo, xo + h * w, 0f);
    for (int i = 0; i < oh; i++) {
      int hs = i * g.strideH() - g.padH();
      for (int j = 0; j < ow; j++) {
        int ws = j * g.strideW() - g.padW();
        float v = dy[yo + i * ow + j] / divisor(g, countIncludePad, hs, ws);
        for (int r = Math.max(hs, 0), re = Math.min(hs + g.kH(), h); r < re; r++)
          for (int c = Math.max(ws, 0), ce = Math.min(ws + g.kW(), w); c < ce; c++) dx[xo + r * w + c] += v;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Global average pooling

  /**
   * y[b, c] = the mean of plane (b, c) of x.
   *
   * @param x [B, C, H, W] with {@code hw = H * W}
   * @param y [B, C], overwritten
   */
  public static void globalAvgForward(int batch, int channels, int hw, float[] x, float[] y) {
    int planes = batch * channels;
    checkLength("x", x, (long) planes * hw);
    checkLength("y", y, planes);
    Parallel.forRange(planes, GRAIN, (p0, p1) -> {
      for (int p = p0; p < p1; p++) {
        double sum = 0; // planes can be large (224x224); double keeps the mean exact enough
        for (int q = p * hw, e = q + hw; q < e; q++) sum += x[q];
        y[p] = (float) (sum / hw);
      }
    });
  }

  /**
   * dx[b, c, :, :] = dy[b, c] / (H * W); dx is overwritten.
   *
   * @param dy [B, C]
   * @param dx [B, C, H, W] with {@code hw = H * W}
   */
  public static void globalAvgBackward(int batch, int channels, int hw, float[] dy, float[] dx) {
    int planes = batch * channels;
    checkLength("dy", dy, planes);
    checkLength("dx", dx, (long) planes * hw);
    Parallel.forRange(planes, GRAIN, (p0, p1) -> {
      for (int p = p0; p < p1; p++) Arrays.fill(dx, p * hw, (p + 1) * hw, dy[p] / hw);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // General windows (PoolWindow): ceil mode, dilation, asymmetric padding

  /**
   * y = the maximum (or mean) of each window of {@code p}; for max, arg = the winner's index within the
   * input plane (-1 for a window with no input cell). The loop is direct: no special cases.
   *
   * @param x   [n, c, h, w]
   * @param y   [n, c, p.outH(h), p.outW(w)], overwritten
   * @param arg as y for max pooling (overwritten), null for averages
   */
  public static void windowForward(PoolWindow p, int n, int c, int h, int w, float[] xs, float[] y, int[] arg) {
    int oh = p.outH(h), ow = p.outW(w);
    float[] div = p.max() ? null : new float[oh * ow];
    if (!p.max()) for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) div[i * ow + j] = p.divisor(h, w, i, j);
    Parallel.forRange(n * c, 4, (p0, p1) -> {
      for (int plane = p0; plane < p1; plane++) {
        int xb = plane * h * w, yb = plane * oh * ow;
        for (int i = 0; i < oh; i++) {
          for (int j = 0; j < ow; j++) {
            int h0 = i * p.sh() - p.pt(), w0 = j * p.sw() - p.pl();
            float best = Float.NEGATIVE_INFINITY, sum = 0f;
            int at = -1;
            for (int a = 0; a < p.kh(); a++) {
              int hh = h0 + a * p.dh();
              if (hh < 0 || hh >= h) continue;
              for (int b = 0; b < p.kw(); b++) {
                int ww = w0 + b * p.dw();
                if (ww < 0 || ww >= w) continue;
                float v = xs[xb + hh * w + ww];
                if (p.max()) {
                  if (v > best || at < 0 || Float.isNaN(v)) {
                    best = v;
                    at = hh * w + ww;
                  }
                } else {
                  sum += v;
                }
              }
            }
            if (p.max()) {
              y[yb + i * ow + j] = best;
              arg[yb + i * ow + j] = at;
            } else {
              y[yb + i * ow + j] = sum / div[i * ow + j];
            }
          }
        }
      }
    });
  }

  /** dx = dy routed to each window's argmax (max) or spread over its cells / divisor (mean); dx overwritten. */
  public static void windowBackward(PoolWindow p, int n, int c, int h, int w, float[] g, int[] arg, float[] dx) {
    int oh = p.outH(h), ow = p.outW(w);
    Arrays.fill(dx, 0, n * c * h * w, 0f);
    float[] div = p.max() ? null : new float[oh * ow];
    if (!p.max()) for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) div[i * ow + j] = p.divisor(h, w, i, j);
    Parallel.forRange(n * c, 4, (p0, p1) -> {
      for (int plane = p0; plane < p1; plane++) {
        int xb = plane * h * w, yb = plane * oh * ow;
        for (int i = 0; i < oh; i++)
          for (int j = 0; j < ow; j++) {
            float gi = g[yb + i * ow + j];
            if (p.max()) {
              int at = arg[yb + i * ow + j];
              if (at >= 0) dx[xb + at] += gi;
              continue;
            }
            float share = gi / div[i * ow + j];
            int h0 = i * p.sh() - p.pt(), w0 = j * p.sw() - p.pl();
            for (int a = 0; a < p.kh(); a++) {
              int hh = h0 + a * p.dh();
              if (hh < 0 || hh >= h) continue;
              for (int b = 0; b < p.kw(); b++) {
                int ww = w0 + b * p.dw();
                if (ww >= 0 && ww < w) dx[xb + hh * w + ww] += share;
              }
            }
          }
      }
    });
  }

  /**
   * Max pooling for inference (no argmax): separable, a row pass then a column pass per plane, with
   * branch-free maxima (NaN propagates, as in PyTorch). The argmax-keeping loops branch on every
   * comparison, which costs ten times more on a ResNet stem.
   *
   * @param y [n, c, p.outH(h), p.outW(w)], overwritten
   */
  public static void maxNoArgmax(PoolWindow p, int n, int c, int h, int w, float[] xs, float[] y) {
    int oh = p.outH(h), ow = p.outW(w);
    // Padded row, split into even and odd columns for stride 2: window j covers padded columns 2j .. 2j + k - 1.
    boolean split = p.sw() == 2 && p.dw() == 1;
    int padded = Math.max(w + p.pl(), (ow - 1) * p.sw() + (p.kw() - 1) * p.dw() + 1) + 2;
    Parallel.forRange(n * c, 4, (p0, p1) -> {
      float[] rows = new float[h * ow + V];   // the plane pooled along each row
      float[] even = new float[padded / 2 + 2 * V], odd = new float[padded / 2 + 2 * V];
      for (int plane = p0; plane < p1; plane++) {
        int xb = plane * h * w, yb = plane * oh * ow;
        for (int r = 0; r < h; r++) {
          int in = xb + r * w, out = r * ow;
          if (split) {
            // padded column q = col + pad: even[q / 2] for even q, odd[q / 2] for odd q; the rest is -inf
            int firstEven = p.pl() & 1, firstOdd = 1 - firstEven;   // the first input column landing on an even / odd q
            int ne = (w - firstEven + 1) / 2, no = (w - firstOdd + 1) / 2;
            int e0 = (firstEven + p.pl()) >> 1, o0 = (firstOdd + p.pl()) >> 1;
            Arrays.fill(even, 0, e0, Float.NEGATIVE_INFINITY);
            Arrays.fill(even, e0 + ne, even.length, Float.NEGATIVE_INFINITY);
            Arrays.fill(odd, 0, o0, Float.NEGATIVE_INFINITY);
            Arrays.fill(odd, o0 + no, odd.length, Float.NEGATIVE_INFINITY);
            for (int k = 0; k < ne; k++) even[e0 + k] = xs[in + firstEven + 2 * k];
            for (int k = 0; k < no; k++) odd[o0 + k] = xs[in + firstOdd + 2 * k];
            // tap b of window j: padded column 2j + b, i.e. even[j + b/2] or odd[j + b/2]
            int j = Simd.ENABLED ? Pool2dVector.maxTaps(even, odd, p.kw(), rows, out, ow) : 0;
            for (; j < ow; j++) {
              float m = Float.NEGATIVE_INFINITY;
              for (int b = 0; b < p.kw(); b++) m = Math.max(m, ((b & 1) == 0 ? even : odd)[j + (b >> 1)]);
              rows[out + j] = m;
            }
          } else {
            for (int j = 0; j < ow; j++) {
              int c0 = j * p.sw() - p.pl();
              float m = Float.NEGATIVE_INFINITY;
              for (int b = 0; b < p.kw(); b++) {
                int col = c0 + b * p.dw();
                if (col >= 0 && col < w) m = Math.max(m, xs[in + col]);
              }
              rows[out + j] = m;
            }
          }
        }
        for (int i = 0; i < oh; i++) {
          int r0 = i * p.sh() - p.pt(), out = yb + i * ow;
          Arrays.fill(y, out, out + ow, Float.NEGATIVE_INFINITY);
          for (int a = 0; a < p.kh(); a++) {
            int r = r0 + a * p.dh();
            if (r < 0 || r >= h) continue;
            int src = r * ow, j = Simd.ENABLED ? Pool2dVector.maxInto(y, out, rows, src, ow) : 0;
            for (; j < ow; j++) y[out + j] = Math.max(y[out + j], rows[src + j]);
          }
        }
      }
    });
  }

  /** Floats per vector: the pooling scratch rows are padded by this much (also on the scalar path). */
  private static final int V = Simd.FLOAT_LANES;
}
