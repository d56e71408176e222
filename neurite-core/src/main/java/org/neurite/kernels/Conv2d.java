package org.neurite.kernels;

import java.util.Arrays;

/**
 * 2-D convolution kernels on NCHW float arrays with PyTorch's {@code conv2d} semantics
 * (cross-correlation; stride, zero padding, dilation, groups): forward, and backward to the input,
 * the weight and the bias.
 *
 * <p>Fast path: im2col into a per-thread buffer, then {@link Gemm}. Work is split over chunks of
 * images, one serial GEMM per chunk and group; images with few output pixels are batched into one
 * chunk so each GEMM is wide enough to run near peak. When there are fewer chunks than threads the
 * images run one after the other and the GEMM itself goes parallel. The weight gradient gets a
 * private accumulator per share of the batch, summed in share order, so results are deterministic
 * for a given thread count. 1x1 stride-1 unpadded convolutions of single images skip im2col and
 * col2im.
 *
 * <p>The scalar references ({@link #forwardScalar}, {@link #backwardScalar}) are the direct
 * formulas, the oracle for the tests.
 *
 * <p>Not here: tensors, autograd, accumulation into existing gradients (results overwrite; the
 * autograd layer adds), other layouts than NCHW.
 */
public final class Conv2d {
  private Conv2d() {}

  /**
   * Output pixels one GEMM call should cover at least: a GEMM whose columns are a 3x3 image runs
   * far below peak, so small images are batched up to this width.
   */
  private static final int TARGET_COLS = 512;

  /** Grow-only buffers of one thread; a thread runs one share at a time, so reuse is safe. */
  private static final class Scratch {
    float[] col = new float[0];
    float[] out = new float[0];

    float[] col(int n) {
      if (col.length < n) col = new float[n];
      return col;
    }

    float[] out(int n) {
      if (out.length < n) out = new float[n];
      return out;
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** The geometry unpacked once per call, plus the derived sizes every loop needs. */
  private record Dims(int batch, int inC, int h, int w, int outC, int kH, int kW, int sH, int sW, int pH, int pW,
                      int dH, int dW, int groups, int cig, int cog, int oh, int ow, int hw, int ohw, int kg,
                      boolean pointwise) {
    static Dims of(ConvGeometry g) {
      int oh = g.outH(), ow = g.outW();
      if (oh < 1 || ow < 1)
        throw new IllegalArgumentException("conv2d: kernel larger than the padded input: " + g);
      boolean pointwise = g.kH() == 1 && g.kW() == 1 && g.strideH() == 1 && g.strideW() == 1
          && g.padH() == 0 && g.padW() == 0;
      return new Dims(g.batch(), g.inC(), g.inH(), g.inW(), g.outC(), g.kH(), g.kW(), g.strideH(), g.strideW(),
          g.padH(), g.padW(), g.dilH(), g.dilW(), g.groups(), g.groupInC(), g.groupOutC(), oh, ow,
          g.inH() * g.inW(), oh * ow, g.groupInC() * g.kH() * g.kW(), pointwise);
    }

    /** Images per chunk: enough for TARGET_COLS columns, but never fewer chunks than threads. */
    int imagesPerChunk(int threads) {
      int want = Math.max(1, (TARGET_COLS + ohw - 1) / ohw);
      return Math.max(1, Math.min(want, (batch + threads - 1) / threads));
    }
  }

  private static void checkLength(String name, float[] a, long need) {
    if (a.length < need)
      throw new IllegalArgumentException("conv2d: " + name + " has " + a.length + " elements, needs " + need);
  }

  private static void checkArrays(Dims d, float[] x, float[] w, float[] bias, float[] y) {
    checkLength("x", x, (long) d.batch * d.inC * d.hw);
    checkLength("w", w, (long) d.outC * d.kg);
    if (bias != null) checkLength("bias", bias, d.outC);
    checkLength("y/dy", y, (long) d.batch * d.outC * d.ohw);
  }

  private static int threadsHere() {
    return Parallel.inside() ? 1 : Parallel.threads();
  }

  // ---------------------------------------------------------------------------------------------
  // Forward

  /**
   * y = conv2d(x, w) + bias.
   *
   * @param x    input: [B, Ci, H, W]
   * @param w    weight: [Co, Ci / groups, kH, kW]
   * @param bias [Co], or null for none
   * @param y    output: [B, Co, Ho, Wo], overwritten
   */
  public static void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y) {
    Dims d = Dims.of(g);
    checkArrays(d, x, w, bias, y);
    if (d.batch == 0) return;
    int threads = threadsHere();
    int per = d.imagesPerChunk(threads);
    int chunks = (d.batch + per - 1) / per;
    Parallel.RangeBody body = (c0, c1) -> {
      Scratch s = SCRATCH.get();
      for (int c = c0; c < c1; c++) {
        int b0 = c * per;
        forwardChunk(d, x, w, bias, y, b0, Math.min(per, d.batch - b0), s);
      }
    };
    // Fewer chunks than threads: run them in turn and let each GEMM use the threads.
    if (chunks >= threads) Parallel.forRange(chunks, 1, body);
    else body.run(0, chunks);
  }

  private static void forwardChunk(Dims d, float[] x, float[] w, float[] bias, float[] y, int b0, int nimg,
                                   Scratch s) {
    int n = nimg * d.ohw;
    for (int gi = 0; gi < d.groups; gi++) {
      int c0 = gi * d.cig, o0 = gi * d.cog;
      float[] col;
      int colOff;
      if (d.pointwise && nimg == 1) {
        col = x;
        colOff = (b0 * d.inC + c0) * d.hw;
      } else {
        col = s.col(d.kg * n);
        colOff = 0;
        im2col(d, x, b0, nimg, c0, col);
      }
      if (nimg == 1) {
        // y's group block is already the [Cog, Ho*Wo] matrix the GEMM writes.
        int yOff = (b0 * d.outC + o0) * d.ohw;
        if (bias != null)
          for (int o = 0; o < d.cog; o++) Arrays.fill(y, yOff + o * d.ohw, yOff + (o + 1) * d.ohw, bias[o0 + o]);
        Gemm.gemm(false, false, d.cog, n, d.kg, w, o0 * d.kg, d.kg, col, colOff, n,
            bias != null, y, yOff, d.ohw);
      } else {
        float[] out = s.out(d.cog * n);
        Gemm.gemm(false, false, d.cog, n, d.kg, w, o0 * d.kg, d.kg, col, colOff, n, false, out, 0, n);
        // out: [Cog, nimg * Ho*Wo] -> y's per-image blocks, adding the bias on the way.
        for (int o = 0; o < d.cog; o++) {
          float bv = bias == null ? 0f : bias[o0 + o];
          for (int i = 0; i < nimg; i++) {
            int src = o * n + i * d.ohw, dst = ((b0 + i) * d.outC + o0 + o) * d.ohw;
            for (int p = 0; p < d.ohw; p++) y[dst + p] = out[src + p] + bv;
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Backward

  /**
   * Gradients of {@code y = conv2d(x, w) + bias} given dy; each non-null result is overwritten.
   *
   * @param x     input of the forward pass: [B, Ci, H, W]
   * @param w     weight: [Co, Ci / groups, kH, kW]
   * @param dy    gradient of y: [B, Co, Ho, Wo]
   * @param dx    gradient of x: [B, Ci, H, W], or null to skip (a network's first conv)
   * @param dw    gradient of w: [Co, Ci / groups, kH, kW], or null to skip
   * @param dbias gradient of the bias: [Co], or null to skip
   */
  public static void backward(ConvGeometry g, float[] x, float[] w, float[] dy, float[] dx, float[] dw,
                              float[] dbias) {
    Dims d = Dims.of(g);
    checkArrays(d, x, w, dbias, dy);
    if (dx != null) checkLength("dx", dx, (long) d.batch * d.inC * d.hw);
    if (dw != null) checkLength("dw", dw, (long) d.outC * d.kg);
    int wLen = d.outC * d.kg;
    if (d.batch == 0) {
      if (dw != null) Arrays.fill(dw, 0, wLen, 0f);
      if (dbias != null) Arrays.fill(dbias, 0, d.outC, 0f);
      return;
    }
    if (dx == null && dw == null && dbias == null) return;
    int threads = threadsHere();
    int per = d.imagesPerChunk(threads);
    int chunks = (d.batch + per - 1) / per;
    boolean parallel = chunks >= threads;
    // One private weight/bias accumulator per share, indexed by the share's first chunk.
    float[][] dwPart = new float[chunks][];
    double[][] dbPart = new double[chunks][];
    Parallel.RangeBody body = (c0, c1) -> {
      Scratch s = SCRATCH.get();
      float[] accW = dw == null ? null : (c0 == 0 ? zeroed(dw, wLen) : new float[wLen]);
      double[] accB = dbias == null ? null : new double[d.outC];
      for (int c = c0; c < c1; c++) {
        int b0 = c * per;
        backwardChunk(d, x, w, dy, dx, accW, accB, b0, Math.min(per, d.batch - b0), s);
      }
      dwPart[c0] = accW;
      dbPart[c0] = accB;
    };
    if (parallel) Parallel.forRange(chunks, 1, body);
    else body.run(0, chunks);
    // dwPart[0] is dw itself; add the other shares in order.
    if (dw != null)
      for (int c = 1; c < chunks; c++) {
        float[] part = dwPart[c];
        if (part != null) for (int i = 0; i < wLen; i++) dw[i] += part[i];
      }
    if (dbias != null) {
      double[] sum = new double[d.outC];
      for (double[] part : dbPart)
        if (part != null) for (int o = 0; o < d.outC; o++) sum[o] += part[o];
      for (int o = 0; o < d.outC; o++) dbias[o] = (float) sum[o];
    }
  }

  private static float[] zeroed(float[] a, int n) {
    Arrays.fill(a, 0, n, 0f);
    return a;
  }

  /**
   * One chunk of images: adds its weight and bias gradients into accW / accB (null to skip) and
   * overwrites its images of dx (null to skip).
   */
  private static void backwardChunk(Dims d, float[] x, float[] w, float[] dy, float[] dx, float[] accW,
                                    double[] accB, int b0, int nimg, Scratch s) {
    int n = nimg * d.ohw;
    for (int gi = 0; gi < d.groups; gi++) {
      int c0 = gi * d.cig, o0 = gi * d.cog;
      // dY of the group as a [Cog, n] matrix: in place for one image, gathered for several.
      float[] g;
      int gOff;
      if (nimg == 1) {
        g = dy;
        gOff = (b0 * d.outC + o0) * d.ohw;
      } else {
        g = s.out(d.cog * n);
        gOff = 0;
        for (int o = 0; o < d.cog; o++)
          for (int i = 0; i < nimg; i++)
            System.arraycopy(dy, ((b0 + i) * d.outC + o0 + o) * d.ohw, g, o * n + i * d.ohw, d.ohw);
      }
      if (accB != null)
        for (int o = 0; o < d.cog; o++) {
          float sum = 0f;
          for (int p = gOff + o * n, e = p + n; p < e; p++) sum += g[p];
          accB[o0 + o] += sum;
        }
      boolean direct = d.pointwise && nimg == 1;
      if (accW != null) {
        float[] col;
        int colOff;
        if (direct) {
          col = x;
          colOff = (b0 * d.inC + c0) * d.hw;
        } else {
          col = s.col(d.kg * n);
          colOff = 0;
          im2col(d, x, b0, nimg, c0, col);
        }
        // dW_g[Cog, Kg] += dY_g[Cog, n] * col[Kg, n]^T
        Gemm.gemm(false, true, d.cog, d.kg, n, g, gOff, n, col, colOff, n, true, accW, o0 * d.kg, d.kg);
      }
      if (dx != null) {
        // dcol[Kg, n] = W_g[Cog, Kg]^T * dY_g[Cog, n], scattered back onto dx by col2im.
        if (direct) {
          Gemm.gemm(true, false, d.kg, n, d.cog, w, o0 * d.kg, d.kg, g, gOff, n, false,
              dx, (b0 * d.inC + c0) * d.hw, n);
        } else {
          float[] dcol = s.col(d.kg * n);
          Gemm.gemm(true, false, d.kg, n, d.cog, w, o0 * d.kg, d.kg, g, gOff, n, false, dcol, 0, n);
          col2im(d, dcol, b0, nimg, c0, dx);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // im2col / col2im

  /** First output index o with {@code o * stride - pad + k >= 0}. */
  private static int firstValid(int stride, int pad, int k) {
    int need = pad - k;
    return need <= 0 ? 0 : (need + stride - 1) / stride;
  }

  /** One past the last output index o (capped at out) with {@code o * stride - pad + k < in}. */
  private static int lastValid(int out, int in, int stride, int pad, int k) {
    int lim = in - 1 + pad - k;
    return lim < 0 ? 0 : Math.min(out, lim / stride + 1);
  }

  /**
   * Unfolds images b0 .. b0+nimg-1, channels c0 .. c0+Cig-1 of x into col.
   *
   * @param x   [B, Ci, H, W]
   * @param col [Cig * kH * kW, nimg * Ho * Wo]: row (c, kh, kw), column (image, oh, ow)
   */
  static void im2col(Dims d, float[] x, int b0, int nimg, int c0, float[] col) {
    int n = nimg * d.ohw;
    int row = 0;
    for (int c = 0; c < d.cig; c++)
      for (int kh = 0; kh < d.kH; kh++) {
        int offH = kh * d.dH;
        int ohLo = firstValid(d.sH, d.pH, offH), ohHi = Math.max(ohLo, lastValid(d.oh, d.h, d.sH, d.pH, offH));
        for (int kw = 0; kw < d.kW; kw++, row++) {
          int offW = kw * d.dW;
          int owLo = firstValid(d.sW, d.pW, offW), owHi = Math.max(owLo, lastValid(d.ow, d.w, d.sW, d.pW, offW));
          for (int i = 0; i < nimg; i++) {
            int plane = ((b0 + i) * d.inC + c0 + c) * d.hw;
            int dst = row * n + i * d.ohw;
            Arrays.fill(col, dst, dst + ohLo * d.ow, 0f);
            for (int oh = ohLo; oh < ohHi; oh++) {
              int r = dst + oh * d.ow;
              int src = plane + (oh * d.sH - d.pH + offH) * d.w - d.pW + offW;
              for (int ow = 0; ow < owLo; ow++) col[r + ow] = 0f;
              if (d.sW == 1) {
                for (int ow = owLo; ow < owHi; ow++) col[r + ow] = x[src + ow];
              } else {
                for (int ow = owLo; ow < owHi; ow++) col[r + ow] = x[src + ow * d.sW];
              }
              for (int ow = owHi; ow < d.ow; ow++) col[r + ow] = 0f;
            }
            Arrays.fill(col, dst + ohHi * d.ow, dst + d.ohw, 0f);
          }
        }
      }
  }

  /**
   * The adjoint of {@link #im2col}: overwrites images b0 .. b0+nimg-1, channels c0 .. c0+Cig-1 of dx
   * with the sums of their entries of dcol.
   *
   * @param dcol [Cig * kH * kW, nimg * Ho * Wo]
   * @param dx   [B, Ci, H, W]
   */
  static void col2im(Dims d, float[] dcol, int b0, int nimg, int c0, float[] dx) {
    int n = nimg * d.ohw;
    for (int i = 0; i < nimg; i++) {
      int first = ((b0 + i) * d.inC + c0) * d.hw;
      Arrays.fill(dx, first, first + d.cig * d.hw, 0f);
    }
    int row = 0;
    for (int c = 0; c < d.cig; c++)
      for (int kh = 0; kh < d.kH; kh++) {
        int offH = kh * d.dH;
        int ohLo = firstValid(d.sH, d.pH, offH), ohHi = lastValid(d.oh, d.h, d.sH, d.pH, offH);
        for (int kw = 0; kw < d.kW; kw++, row++) {
          int offW = kw * d.dW;
          int owLo = firstValid(d.sW, d.pW, offW), owHi = lastValid(d.ow, d.w, d.sW, d.pW, offW);
          for (int i = 0; i < nimg; i++) {
            int plane = ((b0 + i) * d.inC + c0 + c) * d.hw;
            int srcImg = row * n + i * d.ohw;
            for (int oh = ohLo; oh < ohHi; oh++) {
              int r = srcImg + oh * d.ow;
              int dst = plane + (oh * d.sH - d.pH + offH) * d.w - d.pW + offW;
              if (d.sW == 1) {
                for (int ow = owLo; ow < owHi; ow++) dx[dst + ow] += dcol[r + ow];
              } else {
                for (int ow = owLo; ow < owHi; ow++) dx[dst + ow * d.sW] += dcol[r + ow];
              }
            }
          }
        }
      }
  }

  // ---------------------------------------------------------------------------------------------
  // Scalar references

  /** The direct formula for {@link #forward}, accumulating in double; the tests' oracle. */
  public static void forwardScalar(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y) {
    Dims d = Dims.of(g);
    checkArrays(d, x, w, bias, y);
    for (int b = 0; b < d.batch; b++)
      for (int co = 0; co < d.outC; co++) {
        int gi = co / d.cog;
        for (int oh = 0; oh < d.oh; oh++)
          for (int ow = 0; ow < d.ow; ow++) {
            double sum = bias == null ? 0.0 : bias[co];
            for (int c = 0; c < d.cig; c++) {
              int ci = gi * d.cig + c;
              for (int kh = 0; kh < d.kH; kh++) {
                int ih = oh * d.sH - d.pH + kh * d.dH;
                if (ih < 0 || ih >= d.h) continue;
                for (int kw = 0; kw < d.kW; kw++) {
                  int iw = ow * d.sW - d.pW + kw * d.dW;
                  if (iw < 0 || iw >= d.w) continue;
                  sum += (double) x[((b * d.inC + ci) * d.h + ih) * d.w + iw]
                      * w[((co * d.cig + c) * d.kH + kh) * d.kW + kw];
                }
              }
            }
            y[((b * d.outC + co) * d.oh + oh) * d.ow + ow] = (float) sum;
          }
      }
  }

  /** The direct formula for {@link #backward}, accumulating in double; the tests' oracle. */
  public static void backwardScalar(ConvGeometry g, float[] x, float[] w, float[] dy, float[] dx, float[] dw,
                                    float[] dbias) {
    Dims d = Dims.of(g);
    checkArrays(d, x, w, dbias, dy);
    double[] gx = dx == null ? null : new double[d.batch * d.inC * d.hw];
    double[] gw = new double[d.outC * d.kg];
    double[] gb = new double[d.outC];
    for (int b = 0; b < d.batch; b++)
      for (int co = 0; co < d.outC; co++) {
        int gi = co / d.cog;
        for (int oh = 0; oh < d.oh; oh++)
          for (int ow = 0; ow < d.ow; ow++) {
            double gy = dy[((b * d.outC + co) * d.oh + oh) * d.ow + ow];
            gb[co] += gy;
            for (int c = 0; c < d.cig; c++) {
              int ci = gi * d.cig + c;
              for (int kh = 0; kh < d.kH; kh++) {
                int ih = oh * d.sH - d.pH + kh * d.dH;
                if (ih < 0 || ih >= d.h) continue;
                for (int kw = 0; kw < d.kW; kw++) {
                  int iw = ow * d.sW - d.pW + kw * d.dW;
                  if (iw < 0 || iw >= d.w) continue;
                  int xi = ((b * d.inC + ci) * d.h + ih) * d.w + iw;
                  int wi = ((co * d.cig + c) * d.kH + kh) * d.kW + kw;
                  gw[wi] += gy * x[xi];
                  if (gx != null) gx[xi] += gy * w[wi];
                }
              }
            }
          }
      }
    if (dx != null) for (int i = 0; i < gx.length; i++) dx[i] = (float) gx[i];
    if (dw != null) for (int i = 0; i < gw.length; i++) dw[i] = (float) gw[i];
    if (dbias != null) for (int i = 0; i < gb.length; i++) dbias[i] = (float) gb[i];
  }
}
