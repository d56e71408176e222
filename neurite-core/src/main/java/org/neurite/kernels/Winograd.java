package org.neurite.kernels;

/**
 * Winograd F(2x2, 3x3) convolution (Lavin and Gray, "Fast Algorithms for Convolutional Neural
 * Networks", 2015) for 3x3, stride-1, undilated, ungrouped convolutions on NCHW arrays: 16
 * multiplications per 2x2 output tile instead of 36, so 2.25 times fewer than im2col + GEMM. The
 * input is cut into overlapping 4x4 tiles, each transformed as {@code V = B^T d B}; the weights as
 * {@code U = G g G^T} (once, by the caller, and cached); then for each of the 16 tile positions one
 * GEMM {@code M = U V} over channels; and each output tile is {@code Y = A^T M A}, with the bias and
 * an optional clamp (ReLU, ReLU6) applied on the way out.
 *
 * <p>Work is split over blocks of whole tile rows (spanning images when the images are small, so each
 * GEMM has a few hundred columns), one block per task of the one thread pool, each with per-thread
 * scratch; the GEMMs inside run serially. The transforms are vectorised over all the tiles of a block:
 * each padded input row is split into its even and odd columns and the 4x4 tiles gathered as 16 arrays
 * (one per tile cell), so every cell of every tile is a contiguous vector load. The vector loops are in
 * {@link WinogradVector}; the scalar tails here do all the tiles without the Vector API ({@link Simd}).
 *
 * <p>A kernel: arrays and sizes only, no tensors or autograd. Forward only: a convolution that records
 * a gradient runs on {@link Conv2d}, forward and backward alike ({@code ops.Convolution.Plan} chooses).
 * {@link Conv2d#forwardScalar} is the direct reference formula the tests compare against.
 */
public final class Winograd {
  /** Floats per vector: the padding of the output-tile halves (also on the scalar path). */
  private static final int L = Simd.FLOAT_LANES;
  /** Tiles per block, at least: each of the 16 GEMMs then has this many columns. */
  private static final int TARGET_TILES = Integer.getInteger("neurite.winogradTiles", 256);

  private Winograd() {}

  /**
   * Whether this geometry runs here and pays off: 3x3, stride 1, dilation 1, one group, enough channels,
   * an output of at least {@link #MIN_OUT_PIXELS} per image (on a 3x3 map the 2x2 tiles compute 16
   * outputs for 9), and not a batch of small images that {@link LaneConv} computes faster.
   * -Dneurite.winograd=false turns it off everywhere.
   */
  public static boolean applies(ConvGeometry g) {
    return ENABLED && g.kH() == 3 && g.kW() == 3 && g.strideH() == 1 && g.strideW() == 1 && g.dilH() == 1 && g.dilW() == 1
        && g.groups() == 1 && g.inC() >= 16 && g.outC() >= 16 && (long) g.outH() * g.outW() >= MIN_OUT_PIXELS
        && !(Simd.ENABLED && LaneConv.applies(g, Parallel.inside() ? 1 : Parallel.threads()));
  }

  /** Output pixels per image, at least (6x6; ResNet's last 7x7 stage still qualifies). */
  static final int MIN_OUT_PIXELS = 36;

  /** -Dneurite.winograd=false (or the older -Dneurite.onnx.winograd=false) keeps every convolution on {@link Conv2d}. */
  private static final boolean ENABLED =
      !"false".equals(System.getProperty("neurite.winograd", System.getProperty("neurite.onnx.winograd")));

  /**
   * U = G g G^T for every (o, c): w {@code [O, C, 3, 3]} to u {@code [16, O, C]}, with
   * G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]].
   */
  public static float[] transformWeights(float[] w, int outC, int inC) {
    float[] u = new float[16 * outC * inC];
    int plane = outC * inC;
    Parallel.forRange(outC, 8, (o0, o1) -> {
      float[] t = new float[12];
      for (int o = o0; o < o1; o++)
        for (int c = 0; c < inC; c++) {
          int g = (o * inC + c) * 9;
          for (int j = 0; j < 3; j++) {   // t = G g: 4 x 3
            float g0 = w[g + j], g1 = w[g + 3 + j], g2 = w[g + 6 + j];
            t[j] = g0;
            t[3 + j] = 0.5f * (g0 + g1 + g2);
            t[6 + j] = 0.5f * (g0 - g1 + g2);
            t[9 + j] = g2;
          }
          int at = o * inC + c;
          for (int i = 0; i < 4; i++) {   // u = t G^T: 4 x 4
            float a = t[3 * i], b = t[3 * i + 1], d = t[3 * i + 2];
            u[(i * 4) * plane + at] = a;
            u[(i * 4 + 1) * plane + at] = 0.5f * (a + b + d);
            u[(i * 4 + 2) * plane + at] = 0.5f * (a - b + d);
            u[(i * 4 + 3) * plane + at] = d;
          }
        }
    });
    return u;
  }

  /** Per-thread scratch, grown on demand. */
  private static final class Scratch {
    float[] v = new float[0], m = new float[0], even = new float[0], odd = new float[0], d = new float[0],
        row0 = new float[0], row1 = new float[0];

    static float[] grow(float[] a, int n) {
      return a.length >= n ? a : new float[n];
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /**
   * y = conv2d(x, w) + bias, then clamped to [lo, hi] (pass -inf, +inf for none).
   *
   * @param x    input [N, C, H, W]
   * @param u    transformed weights [16, O, C] from {@link #transformWeights}
   * @param bias [O] or null
   * @param pad  zero padding on each side of H and W
   * @param y    output [N, O, H + 2 pad - 2, W + 2 pad - 2], overwritten
   */
  public static void forward(float[] x, int n, int inC, int h, int w, float[] u, int outC, float[] bias, int padH, int padW,
                      float lo, float hi, float[] y) {
    int oh = h + 2 * padH - 2, ow = w + 2 * padW - 2;
    if (oh < 1 || ow < 1) throw new IllegalArgumentException("winograd: input " + h + "x" + w + " is smaller than the kernel");
    int th = (oh + 1) / 2, tw = (ow + 1) / 2;
    int rowsTotal = n * th;
    int rowsPerBlock = Math.max(1, Math.min(rowsTotal, (TARGET_TILES + tw - 1) / tw));
    // Several blocks per thread, so that dynamic hand-out can balance them.
    int threads = Parallel.inside() ? 1 : Parallel.threads();
    while (rowsPerBlock > 1 && (rowsTotal + rowsPerBlock - 1) / rowsPerBlock < threads) rowsPerBlock = (rowsPerBlock + 1) / 2;
    int rpb = rowsPerBlock;
    int blocks = (rowsTotal + rpb - 1) / rpb;
    // Blocks are handed out one at a time, so a thread slowed by a neighbour takes fewer of them.
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    Parallel.forRange(Math.min(threads, blocks), 1, (s0, s1) -> {
      Scratch s = SCRATCH.get();
      for (int b = next.getAndIncrement(); b < blocks; b = next.getAndIncrement()) {
        int g0 = b * rpb, g1 = Math.min(rowsTotal, g0 + rpb);
        block(x, inC, h, w, u, outC, bias, padH, padW, lo, hi, y, oh, ow, th, tw, g0, g1, s);
      }
    });
  }

  // One block: tile rows g0 .. g1 - 1 (g = image * th + tile row).
  private static void block(float[] x, int inC, int h, int w, float[] u, int outC, float[] bias, int padH, int padW,
                            float lo, float hi, float[] y, int oh, int ow, int th, int tw, int g0, int g1, Scratch s) {
    int rows = g1 - g0, tb = rows * tw;
    s.v = Scratch.grow(s.v, 16 * inC * tb);
    s.m = Scratch.grow(s.m, 16 * outC * tb);
    s.even = Scratch.grow(s.even, 4 * (tw + 1 + L));
    s.odd = Scratch.grow(s.odd, 4 * (tw + 1 + L));
    s.d = Scratch.grow(s.d, 16 * tb);
    float[] v = s.v, m = s.m, d = s.d;
    int vPlane = inC * tb, mPlane = outC * tb;
    // Input transform: V[xi][c][tile] = (B^T d B)[xi]. The 4x4 tiles of every tile row of the block are
    // first gathered as 16 arrays d[i][j][tile] over the whole block, so that the transform runs as
    // vectors over all its tiles: per tile row, a row of 4, 7 or 14 tiles is shorter than a 16-lane vector.
    for (int c = 0; c < inC; c++) {
      for (int g = g0; g < g1; g++) {
        int img = g / th, ty = g % th;
        int xBase = (img * inC + c) * h * w;
        int stride = tw + 1 + L;
        int col0 = (g - g0) * tw;
        for (int i = 0; i < 4; i++) {
          split(x, xBase, h, w, 2 * ty - padH + i, padW, tw + 1, s.even, s.odd, i * stride);
          int di = 4 * i * tb + col0;   // d[i][j] = tile columns 2t + j: even[t], odd[t], even[t + 1], odd[t + 1]
          System.arraycopy(s.even, i * stride, d, di, tw);
          System.arraycopy(s.odd, i * stride, d, di + tb, tw);
          System.arraycopy(s.even, i * stride + 1, d, di + 2 * tb, tw);
          System.arraycopy(s.odd, i * stride + 1, d, di + 3 * tb, tw);
        }
      }
      transformTiles(d, tb, v, c * tb, vPlane);
    }
    // 16 GEMMs: M[xi] (O x tb) = U[xi] (O x C) V[xi] (C x tb)
    for (int xi = 0; xi < 16; xi++)
      Gemm.gemm(false, false, outC, tb, inC, u, xi * outC * inC, inC, v, xi * vPlane, tb, false, m, xi * mPlane, tb);
    // Output transform: Y = A^T M A, + bias, clamp, over all the block's tiles of one channel at once
    int half = tb + L;
    s.row0 = Scratch.grow(s.row0, 2 * half);
    s.row1 = Scratch.grow(s.row1, 2 * half);
    for (int o = 0; o < outC; o++) {
      float b = bias == null ? 0f : bias[o];
      outputTiles(m, o * tb, mPlane, tb, b, lo, hi, s.row0, s.row1);
      for (int g = g0; g < g1; g++) {
        int img = g / th, ty = g % th;
        int col0 = (g - g0) * tw;
        int yBase = (img * outC + o) * oh * ow;
        int r0 = 2 * ty;
        store(s.row0, col0, half, y, yBase + r0 * ow, ow);
        if (r0 + 1 < oh) store(s.row1, col0, half, y, yBase + (r0 + 1) * ow, ow);
      }
    }
  }

  /** Row r of one input plane, zero-padded, split into even and odd padded columns (k = 0 .. count - 1). */
  private static void split(float[] x, int base, int h, int w, int r, int padW, int count, float[] even, float[] odd, int at) {
    if (r < 0 || r >= h) {
      java.util.Arrays.fill(even, at, at + count, 0f);
      java.util.Arrays.fill(odd, at, at + count, 0f);
      return;
    }
    int rowBase = base + r * w;
    // k with both columns 2k - padW and 2k + 1 - padW inside the row: no checks
    int lo = Math.min(count, (padW + 1) / 2), hi = Math.max(lo, Math.min(count, (w + padW - 1) / 2));
    for (int k = 0; k < lo; k++) edge(x, rowBase, w, padW, k, even, odd, at);
    for (int k = lo, c0 = rowBase + 2 * lo - padW; k < hi; k++, c0 += 2) {
      even[at + k] = x[c0];
      odd[at + k] = x[c0 + 1];
    }
    for (int k = hi; k < count; k++) edge(x, rowBase, w, padW, k, even, odd, at);
  }

  private static void edge(float[] x, int rowBase, int w, int padW, int k, float[] even, float[] odd, int at) {
    int c0 = 2 * k - padW, c1 = c0 + 1;
    even[at + k] = c0 >= 0 && c0 < w ? x[rowBase + c0] : 0f;
    odd[at + k] = c1 >= 0 && c1 < w ? x[rowBase + c1] : 0f;
  }

  // V = B^T d B with B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], for n tiles whose
  // d[i][j] are the arrays d[(4i + j) * n + tile]. Row i of B^T d is a_j = (d0j - d2j, d1j + d2j, d2j - d1j,
  // d1j - d3j)[i]; then V[i] = (a0 - a2, a1 + a2, a2 - a1, a1 - a3).
  private static void transformTiles(float[] d, int n, float[] v, int at, int plane) {
    int t = Simd.ENABLED ? WinogradVector.transformTiles(d, n, v, at, plane) : 0;
    for (; t < n; t++) {
      for (int i = 0; i < 4; i++) {
        int p = i == 2 ? 2 : (i == 0 ? 0 : 1), q = i == 0 || i == 1 ? 2 : (i == 2 ? 1 : 3);
        int rp = 4 * p * n + t, rq = 4 * q * n + t;
        float sign = i == 1 ? 1f : -1f;
        float a0 = d[rp] + sign * d[rq], a1 = d[rp + n] + sign * d[rq + n], a2 = d[rp + 2 * n] + sign * d[rq + 2 * n],
            a3 = d[rp + 3 * n] + sign * d[rq + 3 * n];
        v[(4 * i) * plane + at + t] = a0 - a2;
        v[(4 * i + 1) * plane + at + t] = a1 + a2;
        v[(4 * i + 2) * plane + at + t] = a2 - a1;
        v[(4 * i + 3) * plane + at + t] = a1 - a3;
      }
    }
  }

  // Y = A^T M A with A^T = [[1, 1, 1, 0], [0, 1, -1, -1]] for n tiles: row0 gets (y00, y01) per tile, row1 (y10, y11),
  // as two halves [0, n) and [n + L, ...) that store() interleaves. Row r of A^T M is q_j = (m0j + m1j + m2j, m1j - m2j - m3j)[r];
  // then (y_r0, y_r1) = (q0 + q1 + q2, q1 - q2 - q3).
  private static void outputTiles(float[] m, int at, int plane, int n, float bias, float lo, float hi, float[] row0, float[] row1) {
    int half = n + L;
    int t = Simd.ENABLED ? WinogradVector.outputTiles(m, at, plane, n, bias, lo, hi, row0, row1) : 0;
    for (; t < n; t++) {
      int o = at + t;
      float q0 = m[o] + m[4 * plane + o] + m[8 * plane + o], q1 = m[plane + o] + m[5 * plane + o] + m[9 * plane + o],
          q2 = m[2 * plane + o] + m[6 * plane + o] + m[10 * plane + o], q3 = m[3 * plane + o] + m[7 * plane + o] + m[11 * plane + o];
      float r0 = m[4 * plane + o] - m[8 * plane + o] - m[12 * plane + o], r1 = m[5 * plane + o] - m[9 * plane + o] - m[13 * plane + o],
          r2 = m[6 * plane + o] - m[10 * plane + o] - m[14 * plane + o], r3 = m[7 * plane + o] - m[11 * plane + o] - m[15 * plane + o];
      row0[t] = Math.min(hi, Math.max(lo, q0 + q1 + q2 + bias));
      row0[half + t] = Math.min(hi, Math.max(lo, q1 - q2 - q3 + bias));
      row1[t] = Math.min(hi, Math.max(lo, r0 + r1 + r2 + bias));
      row1[half + t] = Math.min(hi, Math.max(lo, r1 - r2 - r3 + bias));
    }
  }

  /**
   * Interleaves one tile row's (even, odd) output columns, row[from + t] and row[half + from + t], into y,
   * dropping the last column when ow is odd.
   */
  private static void store(float[] row, int from, int half, float[] y, int at, int ow) {
    int pairs = ow / 2;
    for (int t = 0; t < pairs; t++) {
      y[at + 2 * t] = row[from + t];
      y[at + 2 * t + 1] = row[half + from + t];
    }
    if ((ow & 1) != 0) y[at + ow - 1] = row[from + pairs];
  }
}
