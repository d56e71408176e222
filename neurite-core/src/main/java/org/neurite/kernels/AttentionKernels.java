package org.neurite.kernels;

import java.util.Arrays;

/**
 * The hot loops of attention and Transformer blocks: scaled dot-product attention (forward and
 * backward, one fused pass per (batch, head) block), the masked row softmax, a linear layer fused with
 * its bias, ReLU and dropout, layer normalisation (optionally fused with the residual add before it)
 * and counter-based dropout masks. Kernels see arrays, offsets and strides: no tensors, no tape.
 *
 * <p>Attention for one block, with {@code Q: [Tq, dk]}, {@code K: [S, dk]}, {@code V: [S, dv]}:
 * <pre>
 *   P = softmax(scale * Q K^T + maskBias)     (rows with no visible key are all zero)
 *   O = dropout(P) V
 * </pre>
 * Q, K and V are read where they lie through a {@link View} (batch, head and row strides; each row
 * contiguous), so the heads of a packed {@code [N, T, 3E]} projection need no permuted copies, and O
 * is written straight into {@code [N, T, H * dv]}. The small products of a block run on one
 * register-tiled kernel ({@link #matmul}); the forward takes 8 query rows at a time through scores,
 * softmax and PV so that they never leave L1. Blocks run in parallel.
 *
 * <p>Every dropout here draws from a counter-based hash of (seed, element index) ({@link #dropoutMask}),
 * so a backward regenerates its forward's mask instead of storing it, and no result depends on the
 * thread count.
 *
 * <p>Not here: autograd, shape checks (the callers in {@code ops} do them), attention over more than
 * 2^31 elements.
 *
 * <p>Thread-safe: static methods whose scratch memory is per thread; concurrent calls must write to
 * disjoint output arrays.
 */
public final class AttentionKernels {
  /** Floats per vector: rows of scores are padded to whole vectors (also on the scalar path). */
  private static final int V = Simd.FLOAT_LANES;

  private AttentionKernels() {}

  /** A strided 4-D operand: element (n, h, t, d) at {@code off + n*bs + h*hs + t*rs + d}. */
  public record View(float[] a, int off, int bs, int hs, int rs) {
    int at(int n, int h) {
      return off + n * bs + h * hs;
    }
  }

  /** Sizes and options of one attention call. */
  public record Dims(int batch, int heads, int tq, int s, int dk, int dv, float scale, boolean causal,
                     float dropout, long seed) {
    int block(int n, int h) {
      return n * heads + h;
    }
  }

  /** Per-thread scratch, grown on demand and reused so hot calls allocate nothing. */
  private static final class Work {
    float[] t = new float[0];    // K^T or V^T, zero-padded: [d, Sp], Sp = S rounded up to whole vectors
    float[] p = new float[0];    // exp(scores) of a pass of rows: [8, Sp]
    float[] pd = new float[0];   // the same after dropout [8, Sp]; in the backward, Pd: [Tq, Sp]
    float[] ds = new float[0];   // dP, then dS: [Tq, Sp]
    float[] bias = new float[0]; // 0 for a real key, -inf for padding: [S]
    float[] bt = new float[0];   // matmul's last columns of B, zero-padded: [k, V]
    float[] ct = new float[0];   // matmul's last columns of C: [m, V]
    float[] inv = new float[0];  // 1 / softmax sums of a pass of rows

    float[] grow(float[] x, int n) {
      return x.length >= n ? x : new float[n];
    }
  }

  private static final ThreadLocal<Work> WORK = ThreadLocal.withInitial(Work::new);

  // ------------------------------------------------------------------ attention forward

  /**
   * O = dropout(softmax(scale Q K^T + mask)) V for every (batch, head) block.
   *
   * @param keyMask [batch, S], 1 = real key, 0 = padding; null for none
   * @param probs   [batch, heads, Tq, S]: receives P (before dropout), kept for the backward; null
   *                when nobody needs it (inference)
   * @param mean    [batch, Tq, S]: receives P averaged over heads; null when not wanted
   */
  public static void forward(Dims d, View q, View k, View v, View out, float[] keyMask, float[] probs, float[] mean) {
    // The head average sums over heads: one task per sample then, so no two threads add to one row.
    if (mean != null) {
      Arrays.fill(mean, 0, d.batch * d.tq * d.s, 0f);
      Parallel.forRange(d.batch, 1, (from, to) -> {
        for (int n = from; n < to; n++)
          for (int h = 0; h < d.heads; h++) forwardBlock(d, n, h, q, k, v, out, keyMask, probs, mean);
      });
    } else {
      Parallel.forRange(d.batch * d.heads, 1, (from, to) -> {
        for (int b = from; b < to; b++) forwardBlock(d, b / d.heads, b % d.heads, q, k, v, out, keyMask, probs, null);
      });
    }
  }

  /** Query rows per pass of the forward: their scores, K^T and V stay in L1 from the product to the softmax to PV. */
  private static final int ROWS = 8;

  private static void forwardBlock(Dims d, int n, int h, View q, View k, View v, View out, float[] keyMask,
                                   float[] probs, float[] mean) {
    Work w = WORK.get();
    int tq = d.tq, s = d.s, sp = (s + V - 1) / V * V, block = d.block(n, h);
    float[] bias = maskBias(w, keyMask, n, s);
    // K^T, zero-padded to whole vectors, so that a row of scores is a run of vector FMAs over keys.
    w.t = w.grow(w.t, d.dk * sp);
    transpose(k.a, k.at(n, h), k.rs, s, d.dk, w.t, sp);
    float[] p = w.p = w.grow(w.p, ROWS * sp), pd = d.dropout > 0f ? (w.pd = w.grow(w.pd, ROWS * sp)) : null;
    float[] inv = w.inv = w.grow(w.inv, ROWS);
    int qo = q.at(n, h), vo = v.at(n, h), oo = out.at(n, h);
    for (int i0 = 0; i0 < tq; i0 += ROWS) {
      int rows = Math.min(ROWS, tq - i0);
      // scores = scale * Q K^T                                 [rows, S]
      matmul(rows, sp, d.dk, d.scale, q.a, qo + i0 * q.rs, q.rs, 1, w.t, 0, sp, p, 0, sp);
      for (int r = 0; r < rows; r++) {
        int i = i0 + r, ro = r * sp;
        // E = exp(scores + bias - max); P = E / sum(E). A causal row sees keys 0..i only. The division is
        // folded into the copies below and into O's rows, instead of a pass of its own over E.
        inv[r] = expRow(p, ro, s, bias, 0, d.causal ? Math.min(s, i + 1) : s);
        if (probs != null) scale(p, ro, s, inv[r], probs, (block * tq + i) * s);
        if (mean != null) {
          float a = inv[r] / d.heads;
          int mo = (n * tq + i) * s;
          for (int j = 0; j < s; j++) mean[mo + j] += p[ro + j] * a;
        }
        if (pd != null) {
          // Pd = P * M, M drawn for element (block, i, j) as the backward will draw it again
          dropoutMask(d.dropout, d.seed, (block * tq + i) * s, pd, ro, s);
          for (int j = 0; j < s; j++) pd[ro + j] *= p[ro + j];
        }
      }
      // O = Pd V = (E * M) V / sum(E)                          [rows, dv]
      int or = oo + i0 * out.rs;
      matmul(rows, d.dv, s, 1f, pd != null ? pd : p, 0, sp, 1, v.a, vo, v.rs, out.a, or, out.rs);
      for (int r = 0; r < rows; r++) scale(out.a, or + r * out.rs, d.dv, inv[r], out.a, or + r * out.rs);
    }
  }

  // ------------------------------------------------------------------ attention backward

  /**
   * Gradients of the forward for every block, given {@code probs} saved by it and dO. Writes (does
   * not accumulate) dQ, dK and dV:
   * <pre>
   *   dV = Pd^T dO,   dPd = dO V^T,   dP = dPd * M,   dS = P * (dP - rowsum(P * dP)),
   *   dQ = scale * dS K,   dK = scale * dS^T Q
   * </pre>
   */
  public static void backward(Dims d, View q, View k, View v, float[] probs, View dOut, View dq, View dk, View dv) {
    Parallel.forRange(d.batch * d.heads, 1, (from, to) -> {
      for (int b = from; b < to; b++) backwardBlock(d, b / d.heads, b % d.heads, q, k, v, probs, dOut, dq, dk, dv);
    });
  }

  // Order matters: P is read first by the row pass of the softmax backward, in sequence, so that the
  // column-wise reads of dV = Pd^T dO find it in L2 rather than in L3.
  private static void backwardBlock(Dims d, int n, int h, View q, View k, View v, float[] probs, View dOut,
                                    View dq, View dk, View dv) {
    Work w = WORK.get();
    int tq = d.tq, s = d.s, sp = (s + V - 1) / V * V, block = d.block(n, h), po = block * tq * s;
    int doo = dOut.at(n, h);
    // forward was: O = Pd V.   dPd = dO V^T                    [Tq, S]
    w.t = w.grow(w.t, d.dv * sp);
    transpose(v.a, v.at(n, h), v.rs, s, d.dv, w.t, sp);
    float[] ds = w.ds = w.grow(w.ds, tq * sp);
    matmul(tq, sp, d.dv, 1f, dOut.a, doo, dOut.rs, 1, w.t, 0, sp, ds, 0, sp);
    float[] pd = probs;
    int pdo = po, ldp = s;
    if (d.dropout > 0f) {
      // forward was: Pd = P * M, M regenerated from the seed.   dP = dPd * M
      float[] m = w.pd = w.grow(w.pd, tq * sp);
      for (int i = 0; i < tq; i++) {
        int ro = i * sp, pr = po + i * s;
        dropoutMask(d.dropout, d.seed, (block * tq + i) * s, m, ro, s);
        for (int j = 0; j < s; j++) {
          ds[ro + j] *= m[ro + j];
          m[ro + j] *= probs[pr + j];
        }
      }
      pd = m;
      pdo = 0;
      ldp = sp;
    }
    // forward was: P = softmax(scores).   dS = P * (dP - sum_j P dP)
    for (int i = 0; i < tq; i++) softmaxBackwardRow(probs, po + i * s, ds, i * sp, s);
    // dV = Pd^T dO                                             [S, dv]
    matmul(s, d.dv, tq, 1f, pd, pdo, 1, ldp, dOut.a, doo, dOut.rs, dv.a, dv.at(n, h), dv.rs);
    // forward was: scores = scale * Q K^T.   dQ = scale dS K,  dK = scale dS^T Q
    matmul(tq, d.dk, s, d.scale, ds, 0, sp, 1, k.a, k.at(n, h), k.rs, dq.a, dq.at(n, h), dq.rs);
    matmul(s, d.dk, tq, d.scale, ds, 0, 1, sp, q.a, q.at(n, h), q.rs, dk.a, dk.at(n, h), dk.rs);
  }

  // ------------------------------------------------------------------ masked softmax over rows

  /**
   * y = softmax(x + maskBias) over rows of length t; row r uses mask row {@code r / rowsPerMask}
   * (1 = keep, 0 = drop; null keeps all). A row with nothing kept is all zero.
   *
   * @param x [rows, t]; y [rows, t] (may be x)
   */
  public static void maskedSoftmax(float[] x, float[] y, int rows, int t, float[] mask, int rowsPerMask) {
    if (y != x) System.arraycopy(x, 0, y, 0, rows * t);
    float[] bias = mask == null ? null : new float[mask.length];
    if (bias != null) for (int j = 0; j < bias.length; j++) bias[j] = mask[j] != 0f ? 0f : Float.NEGATIVE_INFINITY;
    for (int r = 0; r < rows; r++) softmaxRow(y, r * t, t, bias, r / rowsPerMask * t, t);
  }

  /** dx = y * (dy - sum(dy * y)) per row: the backward of {@link #maskedSoftmax} given its output y. */
  public static void softmaxBackward(float[] y, float[] dy, float[] dx, int rows, int t) {
    System.arraycopy(dy, 0, dx, 0, rows * t);
    for (int r = 0; r < rows; r++) softmaxBackwardRow(y, r * t, dx, r * t, t);
  }

  // ------------------------------------------------------------------ pieces

  /** 0 for a real key, -inf for padding; null when every key is real. */
  private static float[] maskBias(Work w, float[] keyMask, int n, int s) {
    if (keyMask == null) return null;
    w.bias = w.grow(w.bias, s);
    for (int j = 0; j < s; j++) w.bias[j] = keyMask[n * s + j] != 0f ? 0f : Float.NEGATIVE_INFINITY;
    return w.bias;
  }

  /** t[c, j] = x[xo + j * rs + c] for j < s, c < dim, and 0 for s <= j < ld: the [s, dim] rows as [dim, ld]. */
  static void transpose(float[] x, int xo, int rs, int s, int dim, float[] t, int ld) {
    // Rows of t in turn: its stores run in sequence, the strided loads hit the s rows of x in L1.
    for (int c = 0; c < dim; c++) {
      int dst = c * ld;
      for (int j = 0; j < s; j++) t[dst + j] = x[xo + j * rs + c];
      Arrays.fill(t, dst + s, dst + ld, 0f);
    }
  }

  /**
   * Softmax in place over {@code x[xo .. xo+len)} after adding {@code bias[bo ..]} (null = none);
   * entries from len to s, and every entry of a row with no finite score, become 0.
   */
  static void softmaxRow(float[] x, int xo, int s, float[] bias, int bo, int len) {
    float inv = expRow(x, xo, s, bias, bo, len);
    scale(x, xo, len, inv, x, xo);
  }

  /**
   * The unnormalised half of {@link #softmaxRow}: {@code x = exp(x + bias - max)} over the row; returns
   * 1 / sum (0 for a row with no finite score, which is left all zero), so the caller can fold the
   * division into what it does next.
   */
  static float expRow(float[] x, int xo, int s, float[] bias, int bo, int len) {
    if (bias != null) for (int j = 0; j < len; j++) x[xo + j] += bias[bo + j];
    float max = Float.NEGATIVE_INFINITY;
    if (Simd.ENABLED) max = AttentionVector.rowMax(x, xo, len);
    else for (int j = 0; j < len; j++) max = Math.max(max, x[xo + j]);
    if (max == Float.NEGATIVE_INFINITY || Float.isNaN(max)) {   // no visible key: no attention at all
      Arrays.fill(x, xo, xo + s, max == Float.NEGATIVE_INFINITY ? 0f : Float.NaN);
      return max == Float.NEGATIVE_INFINITY ? 0f : Float.NaN;
    }
    float total = 0f;
    if (Simd.ENABLED) total = AttentionVector.expSum(x, xo, len, max);
    else for (int j = 0; j < len; j++) {
      float e = (float) Math.exp(x[xo + j] - max);
      x[xo + j] = e;
      total += e;
    }
    Arrays.fill(x, xo + len, xo + s, 0f);
    return 1f / total;
  }

  /** y[yo + j] = x[xo + j] * a for j < n (y may be x). */
  static void scale(float[] x, int xo, int n, float a, float[] y, int yo) {
    int j = Simd.ENABLED ? AttentionVector.scale(x, xo, n, a, y, yo) : 0;
    for (; j < n; j++) y[yo + j] = x[xo + j] * a;
  }

  /** ds[j] = p[j] * (ds[j] - sum_j p[j] ds[j]) over one row of length s. */
  static void softmaxBackwardRow(float[] p, int po, float[] ds, int dso, int s) {
    if (Simd.ENABLED) {
      AttentionVector.softmaxBackwardRow(p, po, ds, dso, s);
      return;
    }
    float dot = 0f;
    for (int j = 0; j < s; j++) dot += p[po + j] * ds[dso + j];
    for (int j = 0; j < s; j++) ds[dso + j] = p[po + j] * (ds[dso + j] - dot);
  }

  // ------------------------------------------------------------------ dropout masks

  /**
   * Inverted-dropout multipliers for elements {@code base .. base+n) of a tensor:
   * {@code m[mo + e] = 1 / (1 - p)} with probability 1 - p, else 0. Each draw is a hash of (seed,
   * element index), so a backward regenerates the forward's mask instead of storing it, and the mask
   * does not depend on how the work is split between threads. Indices must stay below 2^31.
   */
  public static void dropoutMask(float p, long seed, int base, float[] m, int mo, int n) {
    float scale = 1f / (1f - p);
    int threshold = (int) Math.min(1L << 24, Math.round(p * (double) (1 << 24)));
    int k0 = (int) seed, k1 = (int) (seed >>> 32);
    int e = Simd.ENABLED ? AttentionVector.dropoutMask(scale, threshold, k0, k1, base, m, mo, n) : 0;
    for (; e < n; e++) m[mo + e] = uniform24(base + e, k0, k1) >= threshold ? scale : 0f;
  }

  /** The reference for {@link #dropoutMask}: the same draws, one at a time. */
  public static void dropoutMaskScalar(float p, long seed, int base, float[] m, int mo, int n) {
    float scale = 1f / (1f - p);
    int threshold = (int) Math.min(1L << 24, Math.round(p * (double) (1 << 24)));
    for (int e = 0; e < n; e++) m[mo + e] = uniform24(base + e, (int) seed, (int) (seed >>> 32)) >= threshold ? scale : 0f;
  }

  /** 24 uniform bits from (index, key): two rounds of MurmurHash3's 32-bit finaliser. */
  static int uniform24(int index, int k0, int k1) {
    return mix(mix(index ^ k0) ^ k1) >>> 8;
  }

  private static int mix(int x) {
    x = (x ^ (x >>> 16)) * 0x85ebca6b;
    x = (x ^ (x >>> 13)) * 0xc2b2ae35;
    return x ^ (x >>> 16);
  }


  /** {@code y[e] = x[e] * m[e]} for e < n with m the {@link #dropoutMask} of elements 0 .. n. */
  public static void applyDropout(float[] x, float[] y, int n, float p, long seed) {
    int chunk = 4096;
    Parallel.forRange((n + chunk - 1) / chunk, 4, (from, to) -> {
      float[] m = new float[chunk];
      for (int c = from; c < to; c++) {
        int o = c * chunk, len = Math.min(chunk, n - o), j = 0;
        dropoutMask(p, seed, o, m, 0, len);
        if (Simd.ENABLED) j = AttentionVector.mul(x, o, m, y, len);
        for (; j < len; j++) y[o + j] = x[o + j] * m[j];
      }
    });
  }

  // ------------------------------------------------------------------ a linear layer, fused

  /**
   * {@code y[rows, out] = dropout(act(x[rows, in] w[out, in]^T + b))}, act = ReLU or the identity, b
   * may be null, dropout as {@link #dropoutMask} over element indices {@code r * out + j} (p = 0: none).
   * Each thread runs the GEMM on its share of rows (Gemm runs serially inside a parallel region) and
   * then the epilogue on those rows while they are in cache: one parallel region, not two.
   */
  public static void linear(float[] x, float[] w, float[] b, float[] y, int rows, int in, int out, boolean relu,
                            float p, long seed) {
    Parallel.forRange(rows, grain(in, out), (r0, r1) -> {
      Gemm.gemm(false, true, r1 - r0, out, in, x, r0 * in, in, w, 0, in, false, y, r0 * out, out);
      if (b == null && !relu && p == 0f) return;
      float[] m = p > 0f ? new float[out] : null;
      for (int r = r0; r < r1; r++) {
        int o = r * out, j = 0;
        if (m != null) dropoutMask(p, seed, o, m, 0, out);
        if (Simd.ENABLED) j = AttentionVector.linearRow(y, o, b, relu, m, out);
        for (; j < out; j++) {
          float v = y[o + j] + (b == null ? 0f : b[j]);
          if (relu) v = Math.max(v, 0f);
          y[o + j] = m == null ? v : v * m[j];
        }
      }
    });
  }

  /**
   * The backward of {@link #linear} given its output y and dy. Writes dx (if not null), dw (if not
   * null) and db (if not null) and returns dz, the gradient before the activation:
   * <pre>
   *   ReLU:             dz = y > 0 ? dy / (1 - p) : 0     (y > 0 exactly where the input was > 0 and kept)
   *   dropout, no ReLU: dz = dy * mask
   *   neither:          dz = dy
   *   dx = dz w,   dw = dz^T x,   db = column sums of dz
   * </pre>
   * dz and dx are computed per share of rows in one parallel region; dw sums over all rows, in a second.
   */
  public static float[] linearBackward(float[] x, float[] w, float[] y, float[] dy, float[] dx, float[] dw, float[] db,
                                       int rows, int in, int out, boolean relu, float p, long seed) {
    float[] dz = relu || p > 0f ? new float[rows * out] : dy;
    float scale = p > 0f ? 1f / (1f - p) : 1f;
    java.util.Map<Integer, float[]> parts = new java.util.concurrent.ConcurrentSkipListMap<>();
    Parallel.forRange(rows, grain(in, out), (r0, r1) -> {
      float[] acc = db == null ? null : new float[out];
      float[] m = !relu && p > 0f ? new float[out] : null;
      for (int r = r0; r < r1; r++) {
        int o = r * out, j = 0;
        if (m != null) dropoutMask(p, seed, o, m, 0, out);
        if (Simd.ENABLED) j = AttentionVector.linearBackwardRow(dy, y, o, relu, scale, m, dz, acc, out);
        for (; j < out; j++) {
          float g = relu ? (y[o + j] > 0f ? dy[o + j] * scale : 0f) : m != null ? dy[o + j] * m[j] : dy[o + j];
          if (dz != dy) dz[o + j] = g;
          if (acc != null) acc[j] += g;
        }
      }
      if (acc != null) parts.put(r0, acc);
      if (dx != null) Gemm.gemm(false, false, r1 - r0, in, out, dz, r0 * out, out, w, 0, in, false, dx, r0 * in, in);
    });
    if (db != null) sumInto(parts.values().toArray(new float[0][]), db, out);   // in row order: deterministic
    if (dw != null) Gemm.gemm(true, false, out, in, rows, dz, 0, out, x, 0, in, false, dw, 0, in);
    return dz;
  }

  /** Rows per share of a linear layer: at least half a million multiply-adds, else it runs on one thread. */
  private static int grain(int in, int out) {
    return Math.max(1, (1 << 19) / Math.max(1, in * out));
  }

  // ------------------------------------------------------------------ the small product

  /**
   * C[m, n] = alpha * A[m, k] B[k, n], overwriting C. A is read at {@code a[ao + i*ars + p*acs]}, so
   * either A or A^T may be stored; B rows at {@code b[bo + p*ldb]} and C rows at {@code c[co + i*ldc]}
   * are contiguous. Register tiles of 8 (then 4, then 1) rows by one vector of columns, A broadcast:
   * the shapes here (k or n as small as a head's 16) are too small for the packed {@link Gemm}.
   * The last columns, when n is not a whole number of vectors, go through zero-padded copies: a masked
   * access that reaches past the end of an array leaves the Vector API's fast path.
   */
  public static void matmul(int m, int n, int k, float alpha, float[] a, int ao, int ars, int acs,
                            float[] b, int bo, int ldb, float[] c, int co, int ldc) {
    if (!Simd.ENABLED) {
      matmulFloat(m, n, k, alpha, a, ao, ars, acs, b, bo, ldb, c, co, ldc);
      return;
    }
    int full = n / V * V, j = 0;
    for (; j + 2 * V <= full; j += 2 * V) AttentionVector.rows2(m, k, alpha, a, ao, ars, acs, b, bo + j, ldb, c, co + j, ldc);
    for (; j < full; j += V) AttentionVector.rows(m, k, alpha, a, ao, ars, acs, b, bo + j, ldb, c, co + j, ldc);
    if (full == n) return;
    int w = n - full;
    Work wk = WORK.get();
    float[] bt = wk.bt = wk.grow(wk.bt, k * V), ct = wk.ct = wk.grow(wk.ct, m * V);
    for (int p = 0; p < k; p++) {
      System.arraycopy(b, bo + p * ldb + full, bt, p * V, w);
      Arrays.fill(bt, p * V + w, p * V + V, 0f);
    }
    AttentionVector.rows(m, k, alpha, a, ao, ars, acs, bt, 0, V, ct, 0, V);
    for (int i = 0; i < m; i++) System.arraycopy(ct, i * V, c, co + i * ldc + full, w);
  }



  /** The scalar twin of {@link #matmul}: rows of C accumulated in float, then scaled by alpha. */
  static void matmulFloat(int m, int n, int k, float alpha, float[] a, int ao, int ars, int acs,
                          float[] b, int bo, int ldb, float[] c, int co, int ldc) {
    for (int i = 0; i < m; i++) {
      int ci = co + i * ldc;
      Arrays.fill(c, ci, ci + n, 0f);
      for (int p = 0; p < k; p++) {
        float x = a[ao + i * ars + p * acs];
        int bp = bo + p * ldb;
        for (int j = 0; j < n; j++) c[ci + j] += x * b[bp + j];
      }
      for (int j = 0; j < n; j++) c[ci + j] *= alpha;
    }
  }

  /** The reference for {@link #matmul}: a plain triple loop in double. */
  public static void matmulScalar(int m, int n, int k, float alpha, float[] a, int ao, int ars, int acs,
                                  float[] b, int bo, int ldb, float[] c, int co, int ldc) {
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) s += (double) a[ao + i * ars + p * acs] * b[bo + p * ldb + j];
        c[co + i * ldc + j] = (float) (alpha * s);
      }
  }





  // ------------------------------------------------------------------ layer normalisation

  /**
   * Layer norm over rows of length d: y = (x - mean) * rstd * w + b, with rstd = 1 / sqrt(var + eps)
   * (biased variance, as PyTorch). Saves, per row, rstd and the mean of {@code x - x[row, 0]} (see
   * layerNormRow) for the backward.
   *
   * @param x    [rows, d]
   * @param w    [d] or null (scale 1); b [d] or null (shift 0)
   * @param mean [rows] or null; rstd [rows] or null
   */
  public static void layerNorm(float[] x, float[] w, float[] b, float[] y, int rows, int d, float eps,
                               float[] mean, float[] rstd) {
    int grain = Math.max(1, 16384 / Math.max(1, d));
    Parallel.forRange(rows, grain, (from, to) -> {
      for (int r = from; r < to; r++) layerNormRow(x, r * d, w, b, y, r * d, d, eps, mean, rstd, r);
    });
  }

  // Statistics of x - x[0] rather than of x: with |mean| >> std (values near 100, spread 0.01) a float
  // mean is off by half an ulp of 100, a large part of the spread. x - x[0] is exact there, and the
  // centred value is (x - x[0]) - mean(x - x[0]). The backward recomputes the shift from x.
  private static void layerNormRow(float[] x, int o, float[] w, float[] b, float[] y, int yo, int d, float eps,
                                   float[] mean, float[] rstd, int r) {
    if (Simd.ENABLED) {
      AttentionVector.layerNormRow(x, o, w, b, y, yo, d, eps, mean, rstd, r);
      return;
    }
    float shift = d == 0 ? 0f : x[o];
    float s = 0f;
    for (int j = 0; j < d; j++) s += x[o + j] - shift;
    float mu = s / d;
    // Two passes (mean, then squared deviations): one pass of sum and sum of squares cancels badly.
    float ss = 0f;
    for (int j = 0; j < d; j++) ss += (x[o + j] - shift - mu) * (x[o + j] - shift - mu);
    float rs = (float) (1.0 / Math.sqrt(ss / d + eps));
    if (mean != null) mean[r] = mu;
    if (rstd != null) rstd[r] = rs;
    for (int j = 0; j < d; j++) {
      float t = (x[o + j] - shift - mu) * rs;
      if (w != null) t *= w[j];
      if (b != null) t += b[j];
      y[yo + j] = t;
    }
  }

  /**
   * The residual connection and the layer norm after it, one pass per row:
   * {@code s = x + dropout(r)} and {@code y = layerNorm(s)} as {@link #layerNorm}; s is written out
   * only when not null (the backward needs it, inference does not). Dropout as {@link #dropoutMask}
   * over element indices (p = 0: none).
   */
  public static void addLayerNorm(float[] x, float[] r, float p, long seed, float[] s, float[] w, float[] b, float[] y,
                                  int rows, int d, float eps, float[] mean, float[] rstd) {
    int grain = Math.max(1, 16384 / Math.max(1, d));
    Parallel.forRange(rows, grain, (from, to) -> {
      float[] m = p > 0f ? new float[d] : null, row = s != null ? s : new float[d];
      for (int i = from; i < to; i++) {
        int o = i * d, so = s != null ? o : 0, j = 0;
        if (m != null) {
          dropoutMask(p, seed, o, m, 0, d);
          if (Simd.ENABLED) j = AttentionVector.addMasked(x, r, m, o, row, so, d);
          for (; j < d; j++) row[so + j] = x[o + j] + r[o + j] * m[j];
        } else {
          if (Simd.ENABLED) j = AttentionVector.add(x, r, o, row, so, d);
          for (; j < d; j++) row[so + j] = x[o + j] + r[o + j];
        }
        layerNormRow(row, so, w, b, y, o, d, eps, mean, rstd, i);
      }
    });
  }

  /**
   * Backward of {@link #layerNorm}, with xhat = (x - mean) * rstd and g = dy * w:
   * <pre>
   *   dx = rstd * (g - mean(g) - xhat * mean(g * xhat)),   dw = sum_rows dy * xhat,   db = sum_rows dy
   * </pre>
   * dx is written; dw and db (each [d], or null when not wanted) are written too.
   */
  public static void layerNormBackward(float[] x, float[] w, float[] mean, float[] rstd, float[] dy,
                                       float[] dx, float[] dw, float[] db, int rows, int d) {
    int shares = Math.max(1, Math.min(Parallel.threads(), rows / Math.max(1, 4096 / Math.max(1, d))));
    float[][] pw = new float[shares][], pb = new float[shares][];
    // Each share sums its rows' dw and db into its own partial; the partials are added at the end.
    Parallel.forRange(shares, 1, (s0, s1) -> {
      for (int sh = s0; sh < s1; sh++) {
        int from = (int) ((long) rows * sh / shares), to = (int) ((long) rows * (sh + 1) / shares);
        float[] gw = dw == null ? null : new float[d], gb = db == null ? null : new float[d];
        for (int r = from; r < to; r++) layerNormBackwardRow(x, r * d, w, mean[r], rstd[r], dy, dx, gw, gb, d);
        pw[sh] = gw;
        pb[sh] = gb;
      }
    });
    if (dw != null) sumInto(pw, dw, d);
    if (db != null) sumInto(pb, db, d);
  }

  private static void sumInto(float[][] parts, float[] out, int d) {
    Arrays.fill(out, 0, d, 0f);
    for (float[] p : parts) for (int j = 0; j < d; j++) out[j] += p[j];
  }

  private static void layerNormBackwardRow(float[] x, int o, float[] w, float mean, float rs, float[] dy, float[] dx,
                                           float[] gw, float[] gb, int d) {
    if (Simd.ENABLED) {
      AttentionVector.layerNormBackwardRow(x, o, w, mean, rs, dy, dx, gw, gb, d);
      return;
    }
    float shift = x[o];   // the forward's statistics are of x - x[0]: mean holds mean(x - x[0])
    float a = 0f, c = 0f;
    for (int t = 0; t < d; t++) {
      float xh = (x[o + t] - shift - mean) * rs, g = w == null ? dy[o + t] : dy[o + t] * w[t];
      a += g;
      c += g * xh;
      if (gw != null) gw[t] += dy[o + t] * xh;
      if (gb != null) gb[t] += dy[o + t];
    }
    float ma = a / d, mc = c / d;
    for (int j = 0; j < d; j++) {
      float xh = (x[o + j] - shift - mean) * rs, g = w == null ? dy[o + j] : dy[o + j] * w[j];
      dx[o + j] = rs * (g - ma - xh * mc);
    }
  }
}
