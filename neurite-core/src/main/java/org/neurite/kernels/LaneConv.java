package org.neurite.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Forward convolution of small images, a vector of images at a time: V images (V = the vector's lanes, 16
 * with AVX-512) are restaged as [C, H + 2pH, W + 2pW, V], one vector per padded pixel, and each output
 * vector (one output pixel of the V images) is the sum over (channel, kh, kw) of a weight times the vector
 * under that tap. It is im2col's GEMM with the unfolded matrix read in place: the row of tap (c, kh, kw) is
 * the staged input shifted by that tap's offset, so no unfolded matrix is written and none is packed. At
 * MNIST size (conv2: 32 channels of 13x13) im2col, packing its matrix and zero-filling its ragged last
 * column strip had been a fifth of the layer's time.
 *
 * <p>Only groups of 1, at least a vector of images per thread and 64 to 1,024 output pixels per image
 * (below that, im2col's GEMM over many images at once is faster); whole vectors of images only, and
 * {@link Conv2d} sends the rest of a batch down its im2col path. Results equal the im2col path's up to
 * summation order (here one pass over all taps). Training gains little: the backward, unchanged, is most
 * of a convolution's step (seed CNN, configs A and B: inference 10-20% faster, training within noise).
 *
 * <p>Vector API throughout: {@link Conv2d} calls it only when {@link Simd#ENABLED}, and its im2col path,
 * which computes the same sums, is the scalar twin.
 */
final class LaneConv {
  private LaneConv() {}

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  /** Images per chunk: one per lane. */
  static final int V = S.length();
  /** Output channels per micro-tile (eight rows by two output pixels: 16 accumulators). */
  private static final int MR = 8;
  /**
   * Output pixels per image below which im2col's GEMM, with many images per call, does better: the seed
   * CNN's conv3 (3x3 and 4x4 outputs) ran 15-20% slower on this path, its conv2 (11x11, 13x13) 20-30% faster.
   */
  static final int MIN_OUT_PIXELS = 64;
  /** Output pixels per image above which im2col's long GEMM columns do as well (Conv2d.TARGET_COLS). */
  static final int MAX_OUT_PIXELS = 1024;

  /** The caller's buffers, shared read-only by the workers: packed weights, tap and pixel offsets. */
  private static final class Shared {
    float[] w = new float[0];
    int[] taps = new int[0];
    int[] pixels = new int[0];
  }

  /** A worker's buffers: its chunk staged, and one output tile (MR channels x Ho*Wo pixels x V images). */
  private static final class Own {
    float[] x = new float[0];
    float[] tile = new float[0];
  }

  private static final ThreadLocal<Shared> SHARED = ThreadLocal.withInitial(Shared::new);
  private static final ThreadLocal<Own> OWN = ThreadLocal.withInitial(Own::new);

  /**
   * Whether this geometry takes the lane path: at least a vector of images per thread (each thread stages
   * and computes whole chunks, its chunk still in cache from staging), 64 to 1,024 output pixels.
   */
  static boolean applies(ConvGeometry g, int threads) {
    return g.groups() == 1 && g.batch() >= V * threads && g.kH() * g.kW() > 1
        && g.outH() * g.outW() >= MIN_OUT_PIXELS && (long) g.outH() * g.outW() <= MAX_OUT_PIXELS
        && (long) g.inC() * (g.inH() + 2 * g.padH()) * (g.inW() + 2 * g.padW()) * V <= 1 << 22;
  }

  /**
   * y = conv2d(x, w) + bias (then ReLU when {@code relu}) for the first {@code batch / V * V} images.
   *
   * @return the number of images done; the caller computes the rest
   */
  static int forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y, boolean relu) {
    int chunks = g.batch() / V, c = g.inC(), h = g.inH(), wd = g.inW(), co = g.outC();
    int hp = h + 2 * g.padH(), wp = wd + 2 * g.padW(), plane = hp * wp, ohw = g.outH() * g.outW();
    int k = c * g.kH() * g.kW(), strips = (co + MR - 1) / MR;
    Shared sh = SHARED.get();
    if (sh.w.length < strips * k * MR) sh.w = new float[strips * k * MR];
    if (sh.taps.length < k) sh.taps = new int[k];
    if (sh.pixels.length < ohw) sh.pixels = new int[ohw];
    float[] wq = sh.w;
    int[] taps = sh.taps, pixels = sh.pixels;
    for (int ci = 0, t = 0; ci < c; ci++)
      for (int kh = 0; kh < g.kH(); kh++)
        for (int kw = 0; kw < g.kW(); kw++) taps[t++] = ((ci * hp + kh * g.dilH()) * wp + kw * g.dilW()) * V;
    for (int oh = 0, p = 0; oh < g.outH(); oh++)
      for (int ow = 0; ow < g.outW(); ow++) pixels[p++] = (oh * g.strideH() * wp + ow * g.strideW()) * V;
    // Weights as [strip][k][MR]: a tile broadcasts MR consecutive floats per tap. Rows past Co are zero.
    for (int s = 0; s < strips; s++)
      for (int r = 0; r < MR; r++) {
        int o = s * MR + r, dst = s * k * MR + r;
        if (o < co) for (int t = 0; t < k; t++) wq[dst + t * MR] = w[o * k + t];
        else for (int t = 0; t < k; t++) wq[dst + t * MR] = 0f;
      }
    Parallel.forRange(chunks, 1, (c0, c1) -> {
      Own own = OWN.get();
      if (own.x.length < c * plane * V) own.x = new float[c * plane * V];
      if (own.tile.length < MR * ohw * V) own.tile = new float[MR * ohw * V];
      float[] xs = own.x, tile = own.tile;
      for (int chunk = c0; chunk < c1; chunk++) {
        stage(g, x, chunk, xs);
        for (int s = 0; s < strips; s++) {
          for (int p = 0; p < ohw; p += 2) {
            int p1 = Math.min(p + 1, ohw - 1);  // an odd last pixel is computed twice, written once each
            tile(k, wq, s * k * MR, xs, taps, pixels[p], pixels[p1], tile, p * V, p1 * V, ohw * V);
          }
          unstage(tile, chunk * V, s * MR, Math.min(MR, co - s * MR), co, ohw, bias, relu, y);
        }
      }
    });
    return chunks * V;
  }

  /** The chunk's V images into xs as [C, H + 2pH, W + 2pW, V], borders zero. */
  private static void stage(ConvGeometry g, float[] x, int chunk, float[] xs) {
    int c = g.inC(), h = g.inH(), wd = g.inW(), hw = h * wd, pH = g.padH(), pW = g.padW();
    int wp = wd + 2 * pW, plane = (h + 2 * pH) * wp * V;
    for (int ci = 0; ci < c; ci++) {
      int plane0 = ci * plane;
      if (pH > 0 || pW > 0) {
        Arrays.fill(xs, plane0, plane0 + pH * wp * V, 0f);
        Arrays.fill(xs, plane0 + (pH + h) * wp * V, plane0 + plane, 0f);
        for (int i = 0; i < h; i++) {
          int row = plane0 + (i + pH) * wp * V;
          Arrays.fill(xs, row, row + pW * V, 0f);
          Arrays.fill(xs, row + (pW + wd) * V, row + wp * V, 0f);
        }
      }
      for (int img = 0; img < V; img++) {
        int src = ((chunk * V + img) * c + ci) * hw;
        for (int i = 0; i < h; i++) {
          int dst = plane0 + ((i + pH) * wp + pW) * V + img, s = src + i * wd;
          for (int j = 0; j < wd; j++, dst += V) xs[dst] = x[s + j];
        }
      }
    }
  }

  /** Rows [0, rows) of the tile, [MR][Ho*Wo][V], into y's channels o0.. of images b0..b0+V-1, plus bias. */
  private static void unstage(float[] tile, int b0, int o0, int rows, int co, int ohw, float[] bias, boolean relu,
                              float[] y) {
    for (int r = 0; r < rows; r++) {
      float add = bias == null ? 0f : bias[o0 + r];
      for (int img = 0; img < V; img++) {
        int dst = ((b0 + img) * co + o0 + r) * ohw, src = r * ohw * V + img;
        if (relu)
          for (int p = 0; p < ohw; p++, src += V) y[dst + p] = Math.max(tile[src] + add, 0f);
        else
          for (int p = 0; p < ohw; p++, src += V) y[dst + p] = tile[src] + add;
      }
    }
  }

  /**
   * Eight output channels at two output pixels, V images each: t[r * ts + t0] and t[r * ts + t1] get
   * the sum over taps p of wq[wi + p * MR + r] times the staged vectors at taps[p] + o0 and taps[p] + o1.
   */
  private static void tile(int k, float[] wq, int wi, float[] xs, int[] taps, int o0, int o1,
                           float[] t, int t0, int t1, int ts) {
    FloatVector z = FloatVector.zero(S);
    FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
    FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
    for (int p = 0; p < k; p++) {
      int tap = taps[p], a = wi + p * MR;
      FloatVector x0 = FloatVector.fromArray(S, xs, o0 + tap);
      FloatVector x1 = FloatVector.fromArray(S, xs, o1 + tap);
      FloatVector wv = FloatVector.broadcast(S, wq[a]);
      c00 = wv.fma(x0, c00);
      c01 = wv.fma(x1, c01);
      wv = FloatVector.broadcast(S, wq[a + 1]);
      c10 = wv.fma(x0, c10);
      c11 = wv.fma(x1, c11);
      wv = FloatVector.broadcast(S, wq[a + 2]);
      c20 = wv.fma(x0, c20);
      c21 = wv.fma(x1, c21);
      wv = FloatVector.broadcast(S, wq[a + 3]);
      c30 = wv.fma(x0, c30);
      c31 = wv.fma(x1, c31);
      wv = FloatVector.broadcast(S, wq[a + 4]);
      c40 = wv.fma(x0, c40);
      c41 = wv.fma(x1, c41);
      wv = FloatVector.broadcast(S, wq[a + 5]);
      c50 = wv.fma(x0, c50);
      c51 = wv.fma(x1, c51);
      wv = FloatVector.broadcast(S, wq[a + 6]);
      c60 = wv.fma(x0, c60);
      c61 = wv.fma(x1, c61);
      wv = FloatVector.broadcast(S, wq[a + 7]);
      c70 = wv.fma(x0, c70);
      c71 = wv.fma(x1, c71);
    }
    c00.intoArray(t, t0);
    c01.intoArray(t, t1);
    c10.intoArray(t, ts + t0);
    c11.intoArray(t, ts + t1);
    c20.intoArray(t, 2 * ts + t0);
    c21.intoArray(t, 2 * ts + t1);
    c30.intoArray(t, 3 * ts + t0);
    c31.intoArray(t, 3 * ts + t1);
    c40.intoArray(t, 4 * ts + t0);
    c41.intoArray(t, 4 * ts + t1);
    c50.intoArray(t, 5 * ts + t0);
    c51.intoArray(t, 5 * ts + t1);
    c60.intoArray(t, 6 * ts + t0);
    c61.intoArray(t, 6 * ts + t1);
    c70.intoArray(t, 7 * ts + t0);
    c71.intoArray(t, 7 * ts + t1);
  }
}
