package org.neurite.onnx;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;
import org.neurite.autograd.Tape;
import org.neurite.kernels.Conv2d;
import org.neurite.kernels.ConvGeometry;
import org.neurite.kernels.Parallel;
import org.neurite.kernels.Simd;
import org.neurite.ops.Activations;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Strided;
import org.neurite.tensor.Tensor;

/**
 * Differentiable ops that ONNX graphs need and neurite-core does not have (yet): erf, hard sigmoid and
 * hard swish, constant padding, general 2-D pooling (asymmetric padding, ceil mode, dilation) and
 * transposed convolution. Each forward is followed by its backward, as in {@code org.neurite.ops};
 * candidates to move there.
 */
final class Prims {
  private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;

  private Prims() {}

  /** y = f(x) elementwise in double, no graph. */
  static Tensor map(Tensor x, DoubleUnaryOperator f) {
    float[] s = x.data();
    float[] o = new float[s.length];
    for (int i = 0; i < o.length; i++) o[i] = (float) f.applyAsDouble(s[i]);
    return Tensor.of(o, x.shape());
  }

  // y = erf(x).  dx = dy * 2 / sqrt(pi) * exp(-x^2).
  static Tensor erf(Tensor x) {
    Tensor y = map(x, Activations::erf);
    return Tape.record("erf", y, dy -> new Tensor[] {dy.mul(map(x, v -> TWO_OVER_SQRT_PI * Math.exp(-v * v)))}, x);
  }

  // y = clamp(alpha x + beta, 0, 1).  dx = dy * alpha inside (0, 1), 0 outside.
  static Tensor hardSigmoid(Tensor x, float alpha, float beta) {
    Tensor y = map(x, v -> Math.max(0, Math.min(1, alpha * v + beta)));
    return Tape.record("hard_sigmoid", y, dy -> new Tensor[] {dy.mul(map(x, v -> {
      double z = alpha * v + beta;
      return z > 0 && z < 1 ? alpha : 0;
    }))}, x);
  }

  // y = x * clamp(x / 6 + 1/2, 0, 1).  dx = dy * (0 below -3, 1 above 3, x / 3 + 1/2 between), as PyTorch.
  static Tensor hardSwish(Tensor x) {
    Tensor y = map(x, v -> v * Math.max(0, Math.min(1, v / 6 + 0.5)));
    return Tape.record("hard_swish", y, dy -> new Tensor[] {dy.mul(map(x, v -> v < -3 ? 0 : v > 3 ? 1 : v / 3 + 0.5))}, x);
  }

  // y = x with `before[d]` and `after[d]` cells of `value` around each axis d.  dx = the interior of dy.
  static Tensor pad(Tensor x, int[] before, int[] after, float value) {
    int r = x.rank();
    int[] in = x.shape(), out = new int[r];
    for (int d = 0; d < r; d++) out[d] = in[d] + before[d] + after[d];
    OnnxModel.checkAlloc("pad", out);
    float[] y = new float[Shape.size(out)];
    if (value != 0f) Arrays.fill(y, value);
    int[] ost = Shape.strides(out);
    int off = 0;
    for (int d = 0; d < r; d++) off += before[d] * ost[d];
    copy(x, Tensor.wrap(y, off, in, ost));
    Tensor result = Tensor.of(y, out);
    int interior = off;
    return Tape.record("pad", result, dy -> {
      Tensor inner = Tensor.wrap(dy.storage(), dy.offset() + interior, in, dy.strides());
      return new Tensor[] {Tensor.of(inner.toArray(), in)};
    }, x);
  }

  /** Copies src's elements into the view dst (same shape). */
  static void copy(Tensor src, Tensor dst) {
    float[] from = src.storage(), to = dst.storage();
    Strided.forEachRow(src.shape(), new int[] {src.offset(), dst.offset()}, new int[][] {src.strides(), dst.strides()},
        (n, o, st) -> {
          if (st[0] == 1 && st[1] == 1) System.arraycopy(from, o[0], to, o[1], n);
          else for (int i = 0; i < n; i++) to[o[1] + i * st[1]] = from[o[0] + i * st[0]];
        });
  }

  // ---------------------------------------------------------------- pooling

  /**
   * A 2-D pooling window over {@code [N, C, H, W]}: kernel, stride, dilation, padding (top, left,
   * bottom, right), ceil mode, and for averages whether padded cells count.
   */
  record Pool(boolean max, int kh, int kw, int sh, int sw, int dh, int dw, int pt, int pl, int pb, int pr,
              boolean ceil, boolean countIncludePad) {
    int out(int in, int k, int s, int d, int p0, int p1) {
      int span = (k - 1) * d + 1;
      int room = in + p0 + p1 - span;
      if (room < 0) return 0;
      int o = (ceil ? (room + s - 1) / s : room / s) + 1;
      if (ceil && (o - 1) * s >= in + p0) o--;   // the last window must start inside the input or the left padding
      return o;
    }
  }

  // y = max (or mean) over each window; max keeps the flat argmax.  dx = dy routed to the argmax (or spread / count).
  static Tensor pool2d(Tensor x, Pool p) {
    if (x.rank() != 4) throw new IllegalArgumentException("pool2d: expected input [N, C, H, W], got " + Shape.str(x.shape()));
    int n = x.shape(0), c = x.shape(1), h = x.shape(2), w = x.shape(3);
    int oh = p.out(h, p.kh, p.sh, p.dh, p.pt, p.pb), ow = p.out(w, p.kw, p.sw, p.dw, p.pl, p.pr);
    if (oh < 1 || ow < 1)
      throw new IllegalArgumentException("pool2d: input " + h + "x" + w + " is smaller than the " + p.kh + "x" + p.kw + " window");
    float[] xs = x.data();
    float[] y = new float[n * c * oh * ow];
    int[] arg = p.max ? new int[y.length] : null;
    float[] div = p.max ? null : new float[oh * ow];
    if (!p.max) for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) div[i * ow + j] = divisor(p, h, w, i, j);
    Parallel.forRange(n * c, 4, (p0, p1) -> {
      for (int plane = p0; plane < p1; plane++) {
        int xb = plane * h * w, yb = plane * oh * ow;
        for (int i = 0; i < oh; i++) {
          for (int j = 0; j < ow; j++) {
            int h0 = i * p.sh - p.pt, w0 = j * p.sw - p.pl;
            float best = Float.NEGATIVE_INFINITY, sum = 0f;
            int at = -1;
            for (int a = 0; a < p.kh; a++) {
              int hh = h0 + a * p.dh;
              if (hh < 0 || hh >= h) continue;
              for (int b = 0; b < p.kw; b++) {
                int ww = w0 + b * p.dw;
                if (ww < 0 || ww >= w) continue;
                float v = xs[xb + hh * w + ww];
                if (p.max) {
                  if (v > best || at < 0 || Float.isNaN(v)) {
                    best = v;
                    at = hh * w + ww;
                  }
                } else {
                  sum += v;
                }
              }
            }
            if (p.max) {
              y[yb + i * ow + j] = best;
              arg[yb + i * ow + j] = at;
            } else {
              y[yb + i * ow + j] = sum / div[i * ow + j];
            }
          }
        }
      }
    });
    Tensor out = Tensor.of(y, n, c, oh, ow);
    return Tape.record(p.max ? "max_pool2d" : "avg_pool2d", out, dy -> {
      float[] g = dy.data(), dx = new float[xs.length];
      Parallel.forRange(n * c, 4, (p0, p1) -> {
        for (int plane = p0; plane < p1; plane++) {
          int xb = plane * h * w, yb = plane * oh * ow;
          for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++) {
              float gi = g[yb + i * ow + j];
              if (p.max) {
                int at = arg[yb + i * ow + j];
                if (at >= 0) dx[xb + at] += gi;
                continue;
              }
              float share = gi / div[i * ow + j];
              int h0 = i * p.sh - p.pt, w0 = j * p.sw - p.pl;
              for (int a = 0; a < p.kh; a++) {
                int hh = h0 + a * p.dh;
                if (hh < 0 || hh >= h) continue;
                for (int b = 0; b < p.kw; b++) {
                  int ww = w0 + b * p.dw;
                  if (ww >= 0 && ww < w) dx[xb + hh * w + ww] += share;
                }
              }
            }
        }
      });
      return new Tensor[] {Tensor.of(dx, x.shape())};
    }, x);
  }

  /**
   * Max pooling for inference (no argmax, no graph): separable, a row pass then a column pass per plane,
   * with branch-free maxima (NaN propagates, as in PyTorch). The general {@link #pool2d} and
   * neurite-core's kernel keep the argmax for the backward and branch on every comparison, which costs
   * ten times more on a ResNet stem.
   */
  static Tensor maxPoolNoGrad(Tensor x, Pool p, java.util.function.IntFunction<float[]> alloc) {
    int n = x.shape(0), c = x.shape(1), h = x.shape(2), w = x.shape(3);
    int oh = p.out(h, p.kh, p.sh, p.dh, p.pt, p.pb), ow = p.out(w, p.kw, p.sw, p.dw, p.pl, p.pr);
    if (oh < 1 || ow < 1)
      throw new IllegalArgumentException("max_pool2d: input " + h + "x" + w + " is smaller than the " + p.kh + "x" + p.kw + " window");
    float[] xs = x.data();
    float[] y = alloc.apply(n * c * oh * ow);   // every element is written below
    // Padded row, split into even and odd columns for stride 2: window j covers padded columns 2j .. 2j + k - 1.
    boolean split = p.sw == 2 && p.dw == 1;
    int padded = Math.max(w + p.pl, (ow - 1) * p.sw + (p.kw - 1) * p.dw + 1) + 2;
    Parallel.forRange(n * c, 4, (p0, p1) -> {
      float[] rows = new float[h * ow + V];   // the plane pooled along each row
      float[] even = new float[padded / 2 + 2 * V], odd = new float[padded / 2 + 2 * V];
      for (int plane = p0; plane < p1; plane++) {
        int xb = plane * h * w, yb = plane * oh * ow;
        for (int r = 0; r < h; r++) {
          int in = xb + r * w, out = r * ow;
          if (split) {
            // padded column q = col + pad: even[q / 2] for even q, odd[q / 2] for odd q; the rest is -inf
            int firstEven = p.pl & 1, firstOdd = 1 - firstEven;   // the first input column landing on an even / odd q
            int ne = (w - firstEven + 1) / 2, no = (w - firstOdd + 1) / 2;
            int e0 = (firstEven + p.pl) >> 1, o0 = (firstOdd + p.pl) >> 1;
            java.util.Arrays.fill(even, 0, e0, Float.NEGATIVE_INFINITY);
            java.util.Arrays.fill(even, e0 + ne, even.length, Float.NEGATIVE_INFINITY);
            java.util.Arrays.fill(odd, 0, o0, Float.NEGATIVE_INFINITY);
            java.util.Arrays.fill(odd, o0 + no, odd.length, Float.NEGATIVE_INFINITY);
            for (int k = 0; k < ne; k++) even[e0 + k] = xs[in + firstEven + 2 * k];
            for (int k = 0; k < no; k++) odd[o0 + k] = xs[in + firstOdd + 2 * k];
            // tap b of window j: padded column 2j + b, i.e. even[j + b/2] or odd[j + b/2]
            int j = Simd.ENABLED ? OnnxVector.maxTaps(even, odd, p.kw, rows, out, ow) : 0;
            for (; j < ow; j++) {
              float m = Float.NEGATIVE_INFINITY;
              for (int b = 0; b < p.kw; b++) m = Math.max(m, ((b & 1) == 0 ? even : odd)[j + (b >> 1)]);
              rows[out + j] = m;
            }
          } else {
            for (int j = 0; j < ow; j++) {
              int c0 = j * p.sw - p.pl;
              float m = Float.NEGATIVE_INFINITY;
              for (int b = 0; b < p.kw; b++) {
                int col = c0 + b * p.dw;
                if (col >= 0 && col < w) m = Math.max(m, xs[in + col]);
              }
              rows[out + j] = m;
            }
          }
        }
        for (int i = 0; i < oh; i++) {
          int r0 = i * p.sh - p.pt, out = yb + i * ow;
          java.util.Arrays.fill(y, out, out + ow, Float.NEGATIVE_INFINITY);
          for (int a = 0; a < p.kh; a++) {
            int r = r0 + a * p.dh;
            if (r < 0 || r >= h) continue;
            int src = r * ow, j = Simd.ENABLED ? OnnxVector.maxInto(y, out, rows, src, ow) : 0;
            for (; j < ow; j++) y[out + j] = Math.max(y[out + j], rows[src + j]);
          }
        }
      }
    });
    return Tensor.of(y, n, c, oh, ow);
  }

  /** Floats per vector: the pooling scratch rows are padded by this much (also on the scalar path). */
  private static final int V = Simd.FLOAT_LANES;

  // The average's divisor, as PyTorch: with count_include_pad the window clipped to the padded input,
  // else the cells inside the input.
  private static float divisor(Pool p, int h, int w, int i, int j) {
    int h0 = i * p.sh - p.pt, w0 = j * p.sw - p.pl;
    int rows = 0, cols = 0;
    for (int a = 0; a < p.kh; a++) {
      int hh = h0 + a * p.dh;
      if (p.countIncludePad ? hh < h + p.pb : hh < h) rows += (p.countIncludePad ? hh >= -p.pt : hh >= 0) ? 1 : 0;
    }
    for (int b = 0; b < p.kw; b++) {
      int ww = w0 + b * p.dw;
      if (p.countIncludePad ? ww < w + p.pr : ww < w) cols += (p.countIncludePad ? ww >= -p.pl : ww >= 0) ? 1 : 0;
    }
    return Math.max(1, rows * cols);
  }

  // ---------------------------------------------------------------- transposed convolution

  /**
   * PyTorch's conv_transpose2d with symmetric padding: x {@code [N, Ci, H, W]}, w {@code [Ci, Co / groups,
   * kH, kW]}, y {@code [N, Co, Ho, Wo]} with {@code Ho = (H - 1) sH - 2 pH + dH (kH - 1) + 1 + outPadH}.
   */
  // It is the input gradient of the convolution g that maps y-shaped inputs to x-shaped outputs:
  // y = col2im(w^T x).  dx = conv2d(dy, w) (g's forward), dw = g's weight gradient with input dy and output gradient x.
  static Tensor convTranspose2d(Tensor x, Tensor w, Tensor bias, int[] stride, int[] pad, int[] dil, int[] outPad, int groups) {
    if (x.rank() != 4 || w.rank() != 4)
      throw new IllegalArgumentException("conv_transpose2d: expected x [N, C, H, W] and w [C, O/groups, kH, kW], got "
          + Shape.str(x.shape()) + " and " + Shape.str(w.shape()));
    int n = x.shape(0), ci = x.shape(1), co = w.shape(1) * groups;
    if (w.shape(0) != ci || ci % groups != 0)
      throw new IllegalArgumentException("conv_transpose2d: weight " + Shape.str(w.shape()) + " does not fit input "
          + Shape.str(x.shape()) + " with groups=" + groups);
    int ho = (x.shape(2) - 1) * stride[0] - 2 * pad[0] + dil[0] * (w.shape(2) - 1) + 1 + outPad[0];
    int wo = (x.shape(3) - 1) * stride[1] - 2 * pad[1] + dil[1] * (w.shape(3) - 1) + 1 + outPad[1];
    if (ho < 1 || wo < 1) throw new IllegalArgumentException("conv_transpose2d: output would be " + ho + "x" + wo);
    OnnxModel.checkAlloc("conv_transpose2d", new int[] {n, co, ho, wo});
    ConvGeometry g = new ConvGeometry(n, co, ho, wo, ci, w.shape(2), w.shape(3), stride[0], stride[1], pad[0], pad[1],
        dil[0], dil[1], groups);
    if (g.outH() != x.shape(2) || g.outW() != x.shape(3))
      throw new IllegalArgumentException("conv_transpose2d: output padding " + Arrays.toString(outPad)
          + " must be smaller than the stride or the dilation");
    float[] xs = x.data(), ws = w.data();
    float[] y = new float[n * co * ho * wo];
    Conv2d.backward(g, y, ws, xs, y, null, null);   // y = "dx" of g for "dy" = x; g's input array is only size-checked
    if (bias != null) {
      float[] b = bias.data();
      int hw = ho * wo;
      for (int i = 0; i < n; i++)
        for (int o = 0; o < co; o++) {
          int base = (i * co + o) * hw;
          for (int k = 0; k < hw; k++) y[base + k] += b[o];
        }
    }
    Tensor out = Tensor.of(y, n, co, ho, wo);
    return Tape.record("conv_transpose2d", out, dy -> {
      float[] g2 = dy.data();
      float[] dx = x.requiresGrad() ? new float[xs.length] : null;
      float[] dw = w.requiresGrad() ? new float[ws.length] : null;
      if (dx != null) Conv2d.forward(g, g2, ws, null, dx);
      if (dw != null) Conv2d.backward(g, g2, ws, xs, null, dw, null);
      Tensor db = null;
      if (bias != null && bias.requiresGrad()) db = dy.sum(false, 0, 2, 3);
      return new Tensor[] {dx == null ? null : Tensor.of(dx, x.shape()), dw == null ? null : Tensor.of(dw, w.shape()), db};
    }, x, w, bias);
  }

  // ---------------------------------------------------------------- batch normalisation (training)

  /**
   * Batch normalisation with the batch's statistics over every axis but 1: returns {@code y}, and fills
   * {@code stats} with the batch mean and biased variance per channel. Sums run in double, as
   * PyTorch's CPU kernel does: the backward subtracts means of the upstream gradient, and float sums
   * over a large batch-times-image lose the digits that survive that cancellation.
   */
  // y = (x - mean) * invstd * gamma + beta.
  // dx = gamma * invstd / n * (n dy - sum(dy) - xhat * sum(dy xhat)), dgamma = sum(dy xhat), dbeta = sum(dy).
  static Tensor batchNormTrain(Tensor x, Tensor gamma, Tensor beta, float eps, double[][] stats) {
    int n0 = x.shape(0), ch = x.shape(1), inner = x.size() / Math.max(1, n0 * ch);
    float[] xs = x.data(), g = gamma.data(), b = beta.data();
    double count = (double) n0 * inner;
    double[] mean = new double[ch], var = new double[ch];
    float[] invstd = new float[ch];
    float[] y = new float[xs.length];
    Parallel.forRange(ch, 1, (c0, c1) -> {
      for (int c = c0; c < c1; c++) {
        double s = 0;
        for (int i = 0; i < n0; i++) {
          int base = (i * ch + c) * inner;
          for (int k = 0; k < inner; k++) s += xs[base + k];
        }
        double mu = s / count, q = 0;
        for (int i = 0; i < n0; i++) {
          int base = (i * ch + c) * inner;
          for (int k = 0; k < inner; k++) {
            double d = xs[base + k] - mu;
            q += d * d;
          }
        }
        double v = q / count;
        mean[c] = mu;
        var[c] = v;
        double is = 1 / Math.sqrt(v + eps);
        invstd[c] = (float) is;
        double scale = is * g[c], shift = b[c] - mu * scale;
        for (int i = 0; i < n0; i++) {
          int base = (i * ch + c) * inner;
          for (int k = 0; k < inner; k++) y[base + k] = (float) (xs[base + k] * scale + shift);
        }
      }
    });
    stats[0] = mean;
    stats[1] = var;
    Tensor out = Tensor.of(y, x.shape());
    return Tape.record("batch_norm", out, dy -> {
      float[] gy = dy.data();
      float[] dx = x.requiresGrad() ? new float[xs.length] : null;
      float[] dg = new float[ch], db = new float[ch];
      Parallel.forRange(ch, 1, (c0, c1) -> {
        for (int c = c0; c < c1; c++) {
          double sdy = 0, sdyx = 0, mu = mean[c], is = invstd[c];
          for (int i = 0; i < n0; i++) {
            int base = (i * ch + c) * inner;
            for (int k = 0; k < inner; k++) {
              double d = gy[base + k];
              sdy += d;
              sdyx += d * (xs[base + k] - mu) * is;
            }
          }
          dg[c] = (float) sdyx;
          db[c] = (float) sdy;
          if (dx == null) continue;
          double f = g[c] * is / count, mdy = sdy, mdyx = sdyx;
          for (int i = 0; i < n0; i++) {
            int base = (i * ch + c) * inner;
            for (int k = 0; k < inner; k++) {
              double xhat = (xs[base + k] - mu) * is;
              dx[base + k] = (float) (f * (count * gy[base + k] - mdy - xhat * mdyx));
            }
          }
        }
      });
      return new Tensor[] {dx == null ? null : Tensor.of(dx, x.shape()), Tensor.of(dg, gamma.shape()),
          Tensor.of(db, beta.shape())};
    }, x, gamma, beta);
  }

  // ---------------------------------------------------------------- in-place activations (no graph)

  /** x = max(x, 0) in place, for outputs that nothing else holds (inference only). */
  static void reluInPlace(float[] x) {
    clampInPlace(x, 0f, Float.POSITIVE_INFINITY);
  }

  /**
   * x = clamp(x, lo, hi) in place (inference only), vectorised and on all threads: MobileNetV2 clamps
   * every convolution's output (ReLU6), and the scalar loop on one thread was 23% of its inference.
   */
  static void clampInPlace(float[] x, float lo, float hi) {
    int chunk = 1 << 14, chunks = (x.length + chunk - 1) / chunk;
    org.neurite.kernels.Parallel.forRange(chunks, 4, (c0, c1) -> {
      int from = c0 * chunk, to = Math.min(x.length, c1 * chunk);
      org.neurite.kernels.Pointwise.clamp(x, from, x, from, to - from, lo, hi);
    });
  }
}
