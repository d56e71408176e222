package org.neurite.kernels;

import java.util.Arrays;

/**
 * 2-D convolution kernels on NCHW float arrays with PyTorch's {@code conv2d} semantics
 * (cross-correlation; stride, zero padding, dilation, groups): forward, and backward to the input,
 * the weight and the bias.
 *
 * <p>Fast path: im2col into a per-thread buffer, then {@link Gemm}. Work is split over chunks of
 * images, one serial GEMM per chunk and group; images with few output pixels are batched into one
 * chunk (restaged with images innermost, so im2col copies long runs) so each GEMM is wide enough to
 * run near peak. When there are fewer chunks than threads the chunks run one after the other and the
 * GEMM itself goes parallel. The weight gradient gets a private accumulator per share of the batch,
 * summed in share order, so results are deterministic for a given thread count; when a group has
 * very few weights per output channel (a first layer) it is computed as dot products instead of a
 * GEMM with a dimension of 9. 1x1 stride-1 unpadded convolutions skip im2col and col2im. Three forwards
 * skip im2col: thin first layers and depthwise layers are computed directly from the padded planes, and
 * batches of small images a vector of images at a time ({@link LaneConv}). Those three and the
 * small-Kg dot products use the Vector API ({@link Conv2dVector}); without it ({@link Simd}) the direct
 * forwards give way to im2col + GEMM, which computes the same sums, and the rest run scalar twins.
 *
 * <p>The scalar references ({@link #forwardScalar}, {@link #backwardScalar}) are the direct
 * formulas, the oracle for the tests.
 *
 * <p>Not here: tensors, autograd, accumulation into existing gradients (results overwrite; the
 * autograd layer adds), other layouts than NCHW.
 *
 * <p>Thread-safe: static methods whose scratch memory is per thread; concurrent calls must write to
 * disjoint output arrays.
 */
public final class Conv2d {
  private Conv2d() {}

  private static final int V = Simd.FLOAT_LANES;

  /**
   * Output pixels one GEMM call should cover at least: a GEMM whose columns are a 3x3 image runs
   * far below peak, so small images are batched up to this width.
   */
  private static final int TARGET_COLS = 1024;
  /**
   * Below this many weights per output channel (a first layer: 1 or 3 input channels) the weight
   * gradient, a GEMM with a tiny dimension, runs as dot products over long pixel rows instead.
   */
  private static final int SMALL_KG = 32;
  /** Floats of im2col buffer the small-Kg weight gradient fills per dot-product pass. */
  private static final int SMALL_KG_COL = 1 << 16;

  /** Grow-only buffers of one thread; a thread runs one share at a time, so reuse is safe. */
  static final class Scratch {
    float[] col = new float[0]; // im2col matrix, or its gradient
    float[] mat = new float[0]; // GEMM output, or dY, in the column order of col
    float[] img = new float[0]; // the chunk's x, or dx, with images innermost
    int[] shifts = new int[0];  // the flat-plane offset of each tap, for forwardThin

    float[] col(int n) {
      if (col.length < n) col = new float[n];
      return col;
    }

    float[] mat(int n) {
      if (mat.length < n) mat = new float[n];
      return mat;
    }

    float[] img(int n) {
      if (img.length < n) img = new float[n];
      return img;
    }

    int[] shifts(int n) {
      if (shifts.length < n) shifts = new int[n];
      return shifts;
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** The geometry unpacked once per call, plus the derived sizes every loop needs. */
  record Dims(int batch, int inC, int h, int w, int outC, int kH, int kW, int sH, int sW, int pH, int pW,
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

    /** A thin first layer, at least a vector wide, that {@link Conv2dVector#forwardThin} computes directly. */
    boolean thinDirect() {
      return Simd.ENABLED && groups == 1 && inC <= THIN_IN_C && sH == 1 && sW == 1 && dH == 1 && dW == 1 && kg <= 64 && ow >= V;
    }

    /**
     * A depthwise layer (one input and one output channel per group), undilated, with a column stride of
     * 1 or 2 and rows at least a vector wide, that {@link Conv2dVector#forwardDepthwise} computes directly: as a
     * GEMM it is one 1 x Kg by Kg x HoWo product per channel, all packing and no arithmetic.
     */
    boolean depthwiseDirect() {
      return Simd.ENABLED && groups == inC && groups == outC && groups > 1 && dH == 1 && dW == 1 && (sW == 1 || sW == 2) && ow >= V;
    }

    /** Images per chunk: enough for TARGET_COLS columns, but never fewer chunks than threads. */
    int imagesPerChunk(int threads) {
      int want = Math.max(1, (TARGET_COLS + ohw - 1) / ohw);
      return Math.max(1, Math.min(want, (batch + threads - 1) / threads));
    }

    /** Images per chunk of the small-Kg backward: SMALL_KG_COL floats of im2col. */
    int imagesPerDotChunk(int threads) {
      return Math.max(1, Math.min(SMALL_KG_COL / (kg * ohw), (batch + threads - 1) / threads));
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

  /** Runs chunks [0, chunks) in parallel, or, with fewer chunks than threads, in turn so each GEMM goes parallel. */
  private static void forChunks(int chunks, int threads, Parallel.RangeBody body) {
    if (chunks >= threads) Parallel.forRange(chunks, 1, body);
    else body.run(0, chunks);
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
    forward(g, x, w, bias, y, false);
  }

  /**
   * y = conv2d(x, w) + bias, then max(y, 0) when {@code relu}: each share of the output is rectified as soon
   * as it is written, while it is still in cache, instead of in a second pass over the whole array.
   */
  public static void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y, boolean relu) {
    Dims d = Dims.of(g);
    checkArrays(d, x, w, bias, y);
    if (d.batch == 0) return;
    int threads = threadsHere();
    if (d.depthwiseDirect()) {
      Parallel.forRange(d.batch * d.inC, 4, (p0, p1) -> {
        Scratch s = SCRATCH.get();
        for (int p = p0; p < p1; p++) Conv2dVector.forwardDepthwise(d, x, w, bias, y, p, s);
        if (relu) rectify(y, p0 * d.ohw, (p1 - p0) * d.ohw);
      });
      return;
    }
    int imageOut = d.outC * d.ohw;
    if (d.thinDirect()) {
      forChunks(d.batch, threads, (b0, b1) -> {
        Scratch s = SCRATCH.get();
        for (int b = b0; b < b1; b++) Conv2dVector.forwardThin(d, x, w, bias, y, b, relu, s);
      });
      return;
    }
    int done = Simd.ENABLED && LaneConv.applies(g, threads) ? LaneConv.forward(g, x, w, bias, y, relu) : 0;
    int per = d.imagesPerChunk(threads), rest = d.batch - done;
    forChunks((rest + per - 1) / per, threads, (c0, c1) -> {
      Scratch s = SCRATCH.get();
      for (int c = c0; c < c1; c++) {
        int b0 = done + c * per, lanes = Math.min(per, d.batch - b0);
        forwardChunk(d, x, w, bias, y, b0, lanes, s);
        if (relu) rectify(y, b0 * imageOut, lanes * imageOut);
      }
    });
  }

  private static void rectify(float[] y, int from, int n) {
    Pointwise.clamp(y, from, y, from, n, 0f, Float.POSITIVE_INFINITY);
  }

  /** At most this many input channels take the direct path of {@link Conv2dVector#forwardThin}. */
  static final int THIN_IN_C = 4;

  /**
   * Images b0 .. b0+L-1 of y. With L > 1 the chunk is first restaged with images innermost,
   * [Cig, H, W, L]: then each im2col run is Wo*L floats long instead of Wo, which is what makes
   * small images cheap to unfold, and the GEMM's columns are (oh, ow, image).
   */
  private static void forwardChunk(Dims d, float[] x, float[] w, float[] bias, float[] y, int b0, int lanes,
                                   Scratch s) {
    int n = lanes * d.ohw;
    for (int gi = 0; gi < d.groups; gi++) {
      int c0 = gi * d.cig, o0 = gi * d.cog;
      float[] src = x;
      int base = (b0 * d.inC + c0) * d.hw;
      if (lanes > 1) {
        src = s.img(d.cig * d.hw * lanes);
        toLanes(x, base, d.inC * d.hw, d.cig * d.hw, lanes, src, 0);
        base = 0;
      }
      float[] col = src;
      int colOff = base;
      if (!d.pointwise) { // a pointwise conv's staged input already is its im2col matrix
        col = s.col(d.kg * n);
        colOff = 0;
        if (lanes == 1 && d.sW == 2 && d.dW == 1) im2colStride2(d, src, base, s.img(d.cig * d.h * 2 * ((d.w + 1) / 2)), col, 0);
        else im2col(d, src, base, lanes, col, 0);
      }
      if (lanes == 1) {
        // y's group block is already the [Cog, Ho*Wo] matrix the GEMM writes.
        int yOff = (b0 * d.outC + o0) * d.ohw;
        if (bias != null)
          for (int o = 0; o < d.cog; o++) Arrays.fill(y, yOff + o * d.ohw, yOff + (o + 1) * d.ohw, bias[o0 + o]);
        Gemm.gemm(false, false, d.cog, n, d.kg, w, o0 * d.kg, d.kg, col, colOff, n,
            bias != null, y, yOff, d.ohw);
      } else {
        float[] out = s.mat(d.cog * n);
        Gemm.gemm(false, false, d.cog, n, d.kg, w, o0 * d.kg, d.kg, col, colOff, n, false, out, 0, n);
        for (int o = 0; o < d.cog; o++)
          fromLanes(out, o * n, d.ohw, lanes, y, (b0 * d.outC + o0 + o) * d.ohw, d.outC * d.ohw,
              bias == null ? 0f : bias[o0 + o]);
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
    boolean dots = dw != null && d.kg < SMALL_KG;
    int per = dots ? d.imagesPerDotChunk(threads) : d.imagesPerChunk(threads);
    int chunks = (d.batch + per - 1) / per;
    // One private weight/bias accumulator per share, indexed by the share's first chunk.
    float[][] dwPart = new float[chunks][];
    double[][] dbPart = new double[chunks][];
    forChunks(chunks, threads, (c0, c1) -> {
      Scratch s = SCRATCH.get();
      float[] accW = dw == null ? null : (c0 == 0 ? zeroed(dw, wLen) : new float[wLen]);
      double[] accB = dbias == null ? null : new double[d.outC];
      for (int c = c0; c < c1; c++) {
        int b0 = c * per, nimg = Math.min(per, d.batch - b0);
        if (accB != null) sumRows(d, dy, b0, nimg, accB);
        if (dots) dotChunk(d, x, w, dy, dx, accW, b0, nimg, s);
        else backwardChunk(d, x, w, dy, dx, accW, b0, nimg, s);
      }
      dwPart[c0] = accW;
      dbPart[c0] = accB;
    });
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

  /** accB[o] += the sum of dy over images b0 .. b0+nimg-1 and all pixels of channel o. */
  private static void sumRows(Dims d, float[] dy, int b0, int nimg, double[] accB) {
    for (int i = 0; i < nimg; i++)
      for (int o = 0; o < d.outC; o++) {
        int p = ((b0 + i) * d.outC + o) * d.ohw;
        accB[o] += sum(dy, p, d.ohw);
      }
  }

  /**
   * One chunk of L images, staged as in {@link #forwardChunk}: adds its weight gradient into accW
   * (null to skip) and overwrites its images of dx (null to skip).
   */
  private static void backwardChunk(Dims d, float[] x, float[] w, float[] dy, float[] dx, float[] accW,
                                    int b0, int lanes, Scratch s) {
    int n = lanes * d.ohw;
    for (int gi = 0; gi < d.groups; gi++) {
      int c0 = gi * d.cig, o0 = gi * d.cog;
      int xOff = (b0 * d.inC + c0) * d.hw;
      // dY of the group as a [Cog, n] matrix: in place for one image, restaged for several.
      float[] gm = dy;
      int gOff = (b0 * d.outC + o0) * d.ohw;
      if (lanes > 1) {
        gm = s.mat(d.cog * n);
        for (int o = 0; o < d.cog; o++)
          toLanes(dy, gOff + o * d.ohw, d.outC * d.ohw, d.ohw, lanes, gm, o * n);
        gOff = 0;
      }
      if (accW != null) {
        float[] src = x;
        int base = xOff;
        if (lanes > 1) {
          src = s.img(d.cig * d.hw * lanes);
          toLanes(x, xOff, d.inC * d.hw, d.cig * d.hw, lanes, src, 0);
          base = 0;
        }
        float[] col = src;
        int colOff = base;
        if (!d.pointwise) {
          col = s.col(d.kg * n);
          colOff = 0;
          im2col(d, src, base, lanes, col, 0);
        }
        // dW_g[Cog, Kg] += dY_g[Cog, n] * col[Kg, n]^T
        Gemm.gemm(false, true, d.cog, d.kg, n, gm, gOff, n, col, colOff, n, true, accW, o0 * d.kg, d.kg);
      }
      if (dx != null) {
        // dcol[Kg, n] = W_g[Cog, Kg]^T * dY_g[Cog, n], folded back onto the images by col2im.
        float[] dst = lanes == 1 ? dx : s.img(d.cig * d.hw * lanes);
        int base = lanes == 1 ? xOff : 0;
        if (d.pointwise) {
          Gemm.gemm(true, false, d.kg, n, d.cog, w, o0 * d.kg, d.kg, gm, gOff, n, false, dst, base, n);
        } else {
          float[] dcol = s.col(d.kg * n);
          Gemm.gemm(true, false, d.kg, n, d.cog, w, o0 * d.kg, d.kg, gm, gOff, n, false, dcol, 0, n);
          col2im(d, dcol, dst, base, lanes);
        }
        if (lanes > 1) fromLanes(dst, 0, d.cig * d.hw, lanes, dx, xOff, d.inC * d.hw, 0f);
      }
    }
  }

  /**
   * The backward of a chunk when Kg is tiny (first layers): images stay one by one (no restaging of
   * the large dy), and the weight gradient is dot products of dy rows with im2col rows, summed over
   * the chunk's images in registers.
   */
  private static void dotChunk(Dims d, float[] x, float[] w, float[] dy, float[] dx, float[] accW,
                               int b0, int nimg, Scratch s) {
    int colLen = d.kg * d.ohw;
    for (int gi = 0; gi < d.groups; gi++) {
      int c0 = gi * d.cig, o0 = gi * d.cog;
      float[] col = s.col(nimg * colLen);
      for (int i = 0; i < nimg; i++) im2col(d, x, ((b0 + i) * d.inC + c0) * d.hw, 1, col, i * colLen);
      // dW_g[o, r] += sum over images i, pixels p of dy[b0 + i, o0 + o, p] * col_i[r, p]
      dotNT(d.cog, d.kg, d.ohw, nimg, dy, (b0 * d.outC + o0) * d.ohw, d.ohw, d.outC * d.ohw,
          col, 0, d.ohw, colLen, accW, o0 * d.kg, d.kg);
      if (dx != null)
        for (int i = 0; i < nimg; i++) {
          int xOff = ((b0 + i) * d.inC + c0) * d.hw;
          Gemm.gemm(true, false, d.kg, d.ohw, d.cog, w, o0 * d.kg, d.kg, dy, ((b0 + i) * d.outC + o0) * d.ohw,
              d.ohw, false, col, 0, d.ohw);
          col2im(d, col, dx, xOff, 1);
        }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers: restaging, im2col / col2im, dot products

  /**
   * Interleaves images: dst[dstOff + q * lanes + i] = src[srcOff + i * imgStride + q] for q < len,
   * i < lanes.
   */
  private static void toLanes(float[] src, int srcOff, int imgStride, int len, int lanes, float[] dst, int dstOff) {
    for (int i = 0; i < lanes; i++) {
      int s = srcOff + i * imgStride;
      for (int q = 0, t = dstOff + i; q < len; q++, t += lanes) dst[t] = src[s + q];
    }
  }

  /** The inverse of {@link #toLanes}, adding {@code add} to every value. */
  private static void fromLanes(float[] src, int srcOff, int len, int lanes, float[] dst, int dstOff, int imgStride,
                                float add) {
    for (int i = 0; i < lanes; i++) {
      int t = dstOff + i * imgStride;
      for (int q = 0, s = srcOff + i; q < len; q++, s += lanes) dst[t + q] = src[s] + add;
    }
  }

  /** First output index o with {@code o * stride - pad + k >= 0}. */
  private static int firstValid(int out, int stride, int pad, int k) {
    int need = pad - k;
    return need <= 0 ? 0 : Math.min(out, (need + stride - 1) / stride);   // a pad wider than the input: none valid
  }

  /** One past the last output index o (at most out, at least lo) with {@code o * stride - pad + k < in}. */
  private static int lastValid(int out, int in, int stride, int pad, int k, int lo) {
    int lim = in - 1 + pad - k;
    return lim < 0 ? lo : Math.max(lo, Math.min(out, lim / stride + 1));
  }

  /**
   * Unfolds a staged chunk into col.
   *
   * @param src  the chunk's channels as [Cig, H, W, lanes] from base (lanes == 1: plain NCHW planes)
   * @param col  [Cig * kH * kW, Ho * Wo * lanes] from colOff: row (c, kh, kw), column (oh, ow, image)
   */
  private static void im2col(Dims d, float[] src, int base, int lanes, float[] col, int colOff) {
    int n = d.ohw * lanes, run = d.ow * lanes, rowLen = d.w * lanes;
    int row = 0;
    for (int c = 0; c < d.cig; c++)
      for (int kh = 0; kh < d.kH; kh++) {
        int offH = kh * d.dH;
        int ohLo = firstValid(d.oh, d.sH, d.pH, offH), ohHi = lastValid(d.oh, d.h, d.sH, d.pH, offH, ohLo);
        for (int kw = 0; kw < d.kW; kw++, row++) {
          int offW = kw * d.dW;
          int owLo = firstValid(d.ow, d.sW, d.pW, offW), owHi = lastValid(d.ow, d.w, d.sW, d.pW, offW, owLo);
          int dst = colOff + row * n;
          Arrays.fill(col, dst, dst + ohLo * run, 0f);
          for (int oh = ohLo; oh < ohHi; oh++) {
            int r = dst + oh * run;
            int srcRow = base + (c * d.h + oh * d.sH - d.pH + offH) * rowLen + (offW - d.pW) * lanes;
            Arrays.fill(col, r, r + owLo * lanes, 0f);
            if (d.sW == 1 && owHi > owLo) {   // (an empty run's start may lie before the array)
              System.arraycopy(src, srcRow + owLo * lanes, col, r + owLo * lanes, (owHi - owLo) * lanes);
            } else if (lanes == 1) {
              for (int ow = owLo; ow < owHi; ow++) col[r + ow] = src[srcRow + ow * d.sW];
            } else {
              for (int ow = owLo; ow < owHi; ow++)
                System.arraycopy(src, srcRow + ow * d.sW * lanes, col, r + ow * lanes, lanes);
            }
            Arrays.fill(col, r + owHi * lanes, r + run, 0f);
          }
          Arrays.fill(col, dst + ohHi * run, dst + n, 0f);
        }
      }
  }

  /**
   * {@link #im2col} of one image for a horizontal stride of 2 (ResNet's 7x7/2 stem, the strided 3x3 and
   * 1x1 convolutions): each input row is first split into its even and odd columns, after which every
   * tap reads a contiguous run of one of the two instead of gathering every other element. The split
   * costs one pass over the input; the gathers it replaces read each row kW times.
   *
   * @param phases scratch of at least Cig * H * 2 * ceil(W / 2) floats
   */
  private static void im2colStride2(Dims d, float[] src, int base, float[] phases, float[] col, int colOff) {
    int half = (d.w + 1) / 2, n = d.ohw;
    for (int c = 0; c < d.cig; c++)
      for (int i = 0; i < d.h; i++) {
        int from = base + (c * d.h + i) * d.w, to = (c * d.h + i) * 2 * half;
        for (int j = 0; 2 * j < d.w; j++) phases[to + j] = src[from + 2 * j];
        for (int j = 0; 2 * j + 1 < d.w; j++) phases[to + half + j] = src[from + 2 * j + 1];
      }
    int row = 0;
    for (int c = 0; c < d.cig; c++)
      for (int kh = 0; kh < d.kH; kh++) {
        int offH = kh * d.dH;
        int ohLo = firstValid(d.oh, d.sH, d.pH, offH), ohHi = lastValid(d.oh, d.h, d.sH, d.pH, offH, ohLo);
        for (int kw = 0; kw < d.kW; kw++, row++) {
          int owLo = firstValid(d.ow, 2, d.pW, kw), owHi = lastValid(d.ow, d.w, 2, d.pW, kw, owLo);
          int q = kw - d.pW, phase = q & 1, shift = q >> 1;   // input column 2 ow + q = 2 (ow + shift) + phase
          int dst = colOff + row * n;
          Arrays.fill(col, dst, dst + ohLo * d.ow, 0f);
          for (int oh = ohLo; oh < ohHi; oh++) {
            int r = dst + oh * d.ow;
            int srcRow = (c * d.h + oh * d.sH - d.pH + offH) * 2 * half + phase * half + shift;
            Arrays.fill(col, r, r + owLo, 0f);
            if (owHi > owLo) System.arraycopy(phases, srcRow + owLo, col, r + owLo, owHi - owLo);
            Arrays.fill(col, r + owHi, r + d.ow, 0f);
          }
          Arrays.fill(col, dst + ohHi * d.ow, dst + n, 0f);
        }
      }
  }

  /**
   * The adjoint of {@link #im2col}: overwrites the staged chunk dst with the sums of its entries of
   * dcol.
   *
   * @param dcol [Cig * kH * kW, Ho * Wo * lanes]
   * @param dst  [Cig, H, W, lanes] from base
   */
  private static void col2im(Dims d, float[] dcol, float[] dst, int base, int lanes) {
    int n = d.ohw * lanes, run = d.ow * lanes, rowLen = d.w * lanes;
    Arrays.fill(dst, base, base + d.cig * d.hw * lanes, 0f);
    int row = 0;
    for (int c = 0; c < d.cig; c++)
      for (int kh = 0; kh < d.kH; kh++) {
        int offH = kh * d.dH;
        int ohLo = firstValid(d.oh, d.sH, d.pH, offH), ohHi = lastValid(d.oh, d.h, d.sH, d.pH, offH, ohLo);
        for (int kw = 0; kw < d.kW; kw++, row++) {
          int offW = kw * d.dW;
          int owLo = firstValid(d.ow, d.sW, d.pW, offW), owHi = lastValid(d.ow, d.w, d.sW, d.pW, offW, owLo);
          for (int oh = ohLo; oh < ohHi; oh++) {
            int r = row * n + oh * run;
            int dstRow = base + (c * d.h + oh * d.sH - d.pH + offH) * rowLen + (offW - d.pW) * lanes;
            if (d.sW == 1 && owHi > owLo) {
              addRun(dcol, r + owLo * lanes, dst, dstRow + owLo * lanes, (owHi - owLo) * lanes);
            } else {
              for (int ow = owLo; ow < owHi; ow++) addRun(dcol, r + ow * lanes, dst, dstRow + ow * d.sW * lanes, lanes);
            }
          }
        }
      }
  }

  /** dst[t + j] += src[s + j] for j < len. */
  private static void addRun(float[] src, int s, float[] dst, int t, int len) {
    int j = Simd.ENABLED ? Conv2dVector.addRun(src, s, dst, t, len) : 0;
    for (; j < len; j++) dst[t + j] += src[s + j];
  }

  /** Sum of a[off .. off+len). */
  private static float sum(float[] a, int off, int len) {
    if (Simd.ENABLED) return Conv2dVector.sum(a, off, len);
    double t = 0;   // one accumulator, not V lanes: double keeps it as accurate
    for (int j = 0; j < len; j++) t += a[off + j];
    return (float) t;
  }

  /**
   * C[m, n] += sum over segments s < segs of A_s[m, k] * B_s[n, k]^T, where row i of A_s starts at
   * aOff + s * aSeg + i * lda (likewise B); rows are contiguous along k. The vector path
   * ({@link Conv2dVector#dotNT}) keeps 4 x 4 dot products in registers; this is its scalar twin.
   */
  private static void dotNT(int m, int n, int k, int segs, float[] a, int aOff, int lda, int aSeg,
                            float[] b, int bOff, int ldb, int bSeg, float[] c, int cOff, int ldc) {
    if (Simd.ENABLED) {
      Conv2dVector.dotNT(m, n, k, segs, a, aOff, lda, aSeg, b, bOff, ldb, bSeg, c, cOff, ldc);
      return;
    }
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) {
        double t = 0;   // sums over whole batches of images: double, where the vector path has V lanes
        for (int sg = 0; sg < segs; sg++) {
          int ai = aOff + sg * aSeg + i * lda, bi = bOff + sg * bSeg + j * ldb;
          for (int p = 0; p < k; p++) t += a[ai + p] * b[bi + p];
        }
        c[cOff + i * ldc + j] += (float) t;
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
