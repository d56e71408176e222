package org.neurite.kernels;

/**
 * Recurrent cells (Elman RNN, LSTM, GRU) run over a whole sequence, forward and backward through time,
 * on row-major float arrays. Not here: the weight gradients and dx (plain GEMMs over all steps at once,
 * issued by the op), autograd, Tensors.
 *
 * <p>Layouts ({@code N} batch, {@code T} steps, {@code H} hidden, {@code G} gates per cell, batch first):
 * <pre>
 *   x     [N, T, F]    input                  wIh [G*H, F], wHh [G*H, H]   PyTorch's weight_ih, weight_hh
 *   y     [N, T, H]    output sequence, 0 at padded steps        mask [N, T]    0 = padding, else real
 *   prev  [N, T, H]    h before step t (saved for backward)      act  [T, N, W*H] saved cell values:
 *        LSTM W=6: i, f, g, o (activated), c_{t-1}, tanh(c_t);  GRU W=4: r, z, n, W_hn h + b_hn;  RNN W=1: h_t
 * </pre>
 * Gate orders are PyTorch's: LSTM i, f, g, o; GRU r, z, n with {@code n = tanh(W_in x + b_in + r (W_hn h + b_hn))}.
 *
 * <p>Masking follows PyTorch's packed sequences: a padded step leaves the state as it was, its output is
 * 0 and it passes gradients straight through. With {@code reverse} the steps run from T-1 down to 0, so
 * a right-padded sequence starts at its last real step, as the reverse half of a packed bidirectional
 * RNN does.
 *
 * <p>How: samples are independent through time, so the batch is cut into blocks of 8 rows that run
 * through all their steps without synchronising with other blocks; the pool's threads take blocks one
 * at a time. Per step a block multiplies its h by W_hh^T, packed once per call into register-tile
 * strips (the small GEMM below, ~100 GFLOPS on one Zen 4 core for 8 rows), then the gates run row by
 * row. The input projections x W_ih^T come from the same small GEMM, 8 steps at a time, so that they
 * are still in cache when the steps use them. Backward runs the blocks the same way: per step the
 * fused gate gradients, then dh_{t-1} = dg_t W_hh; the weight gradients are left to the caller as GEMMs
 * over all steps. The row functions and the one-row tile use the Vector API, in {@link RecurrentVector};
 * their twins here are its scalar tails run over the whole row, which are also the reference formulas.
 *
 * <p>Thread-safe: static methods with no shared mutable state; concurrent calls must write to disjoint
 * output arrays.
 */
public final class Recurrent {
  private Recurrent() {}

  /** Step-GEMM tile: MR rows of A times two vectors of packed B (as Gemm's micro-kernel). */
  private static final int NR = Gemm.NR, MR = Gemm.MR;   // the tile of Gemm.kernel, which stepGemm calls
  /** Multiply-adds below which a run stays on the calling thread (as Gemm's threshold). */
  private static final long SERIAL = 1L << 20;

  /** The cells and their gate counts; RNN_* are Elman cells {@code h' = act(W x + b + U h + b')}. */
  public enum Cell {
    RNN_TANH(1, 1), RNN_RELU(1, 1), RNN_SIGMOID(1, 1), LSTM(4, 6), GRU(3, 4);

    /** Gate blocks in the weights (G). */
    public final int gates;
    /** Saved values per hidden unit and step in {@code act} (W). */
    public final int saved;

    Cell(int gates, int saved) {
      this.gates = gates;
      this.saved = saved;
    }
  }

  /** Sizes of one run: {@code batch} N, {@code steps} T, {@code hidden} H; {@code reverse} runs t = T-1 .. 0. */
  public record Dims(Cell cell, int batch, int steps, int hidden, boolean reverse) {
    int gh() {
      return cell.gates * hidden;
    }
  }

  // ---------------------------------------------------------------- forward

  /**
   * Runs the cell over the sequence. {@code h0}, {@code c0} (LSTM only) and {@code mask} may be null
   * (zeros, no padding); {@code prev} and {@code act} may be null when no backward will follow.
   *
   * @param x [N, T, F] input
   * @param wIh [G*H, F], wHh [G*H, H] weights; bIh, bHh [G*H] biases
   * @param y [N, T, H] output, zero-filled by the caller
   * @param hT, cT [N, H] final state (cT only for LSTM)
   * @param prev [N, T, H] h before each step; act [T, N, W*H] saved cell values (time-major: each
   *     step's rows are contiguous for the backward pass)
   */
  public static void forward(Dims d, float[] x, int features, float[] wIh, float[] wHh, float[] bIh, float[] bHh,
                             float[] mask, float[] h0, float[] c0, float[] y, float[] hT, float[] cT, float[] prev,
                             float[] act) {
    int h = d.hidden(), gh = d.gh();
    float[] wi = packTransposed(wIh, gh, features);   // B = W_ih^T [F, G*H] and W_hh^T [H, G*H], packed once
    float[] wh = packTransposed(wHh, gh, h);
    // The x-side bias: b_ih + b_hh, except the GRU's b_hn, which r multiplies and so stays with W_hn h.
    float[] bx = new float[gh];
    for (int j = 0; j < gh; j++) bx[j] = bIh[j] + (d.cell() == Cell.GRU && j >= 2 * h ? 0f : bHh[j]);
    float[] bhn = d.cell() == Cell.GRU ? java.util.Arrays.copyOfRange(bHh, 2 * h, 3 * h) : null;
    eachBlock(d, features, b -> forwardRows(d, b * MR, Math.min(d.batch(), (b + 1) * MR), x, features, wi, wh, bx, bhn,
        mask, h0, c0, y, hT, cT, prev, act));
  }

  /**
   * Runs {@code body} for every block of MR batch rows, the pool's threads taking blocks one at a time:
   * a thread slowed by another process on its core then takes fewer (fixed halves would wait for it).
   * A block runs all steps of its rows, so the result does not depend on which thread ran it. Below
   * about a million multiply-adds (a decoder's single step, say) the caller runs them all: waking a
   * second thread would cost more than it saves.
   */
  private static void eachBlock(Dims d, int inputs, java.util.function.IntConsumer body) {
    int blocks = (d.batch() + MR - 1) / MR;
    long work = (long) d.batch() * d.steps() * d.gh() * (inputs + d.hidden());
    int shares = work < SERIAL ? 1 : Math.min(blocks, Parallel.threads());
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    Parallel.forRange(shares, 1, (s0, s1) -> {
      for (int b = next.getAndIncrement(); b < blocks; b = next.getAndIncrement()) body.accept(b);
    });
  }

  /** Steps whose input projections are computed together: a chunk of them stays in L2 until used. */
  private static final int CHUNK = MR;

  // Rows [n0, n1) through all steps. Every CHUNK steps, x W_ih^T for those steps (one small GEMM per
  // row, CHUNK rows of x each); per step h W_hh^T, then the cell row by row.
  private static void forwardRows(Dims d, int n0, int n1, float[] x, int features, float[] wi, float[] wh,
                                  float[] bx, float[] bhn, float[] mask, float[] h0, float[] c0, float[] y,
                                  float[] hT, float[] cT, float[] prev, float[] act) {
    int rows = n1 - n0, h = d.hidden(), gh = d.gh(), steps = d.steps(), sw = d.cell().saved * h;
    int ldc = roundUp(gh, NR);
    float[] hs = new float[rows * h];                       // h state of these rows
    float[] cs = d.cell() == Cell.LSTM ? new float[rows * h] : null;
    float[] hh = new float[rows * ldc];                     // h W_hh^T of the current step, then the gates
    float[] tc = new float[h];                              // a row's scratch
    float[] xw = new float[rows * CHUNK * ldc];             // x W_ih^T: row r, step t0 + j at (r * CHUNK + j) * ldc
    if (h0 != null) System.arraycopy(h0, n0 * h, hs, 0, rows * h);
    if (c0 != null && cs != null) System.arraycopy(c0, n0 * h, cs, 0, rows * h);
    int t0 = 0;
    for (int s = 0; s < steps; s++) {
      int t = d.reverse() ? steps - 1 - s : s;
      if (s % CHUNK == 0) {   // the next CHUNK steps, in memory order from t0
        int len = Math.min(CHUNK, steps - s);
        t0 = d.reverse() ? t - len + 1 : t;
        for (int r = 0; r < rows; r++)
          stepGemm(len, features, x, ((n0 + r) * steps + t0) * features, features, wi, xw, r * CHUNK * ldc, ldc);
      }
      if (prev != null)
        for (int r = 0; r < rows; r++) System.arraycopy(hs, r * h, prev, ((n0 + r) * steps + t) * h, h);
      stepGemm(rows, h, hs, 0, h, wh, hh, 0, ldc);
      for (int r = 0; r < rows; r++) {
        int nt = (n0 + r) * steps + t;
        if (mask != null && mask[nt] == 0f) continue;   // padding: state carried, output stays 0
        int xo = (r * CHUNK + t - t0) * ldc, ho = r * ldc, so = r * h, yo = nt * h, ao = (t * d.batch() + n0 + r) * sw;
        switch (d.cell()) {
          case LSTM -> lstmRow(h, xw, xo, bx, hh, ho, hs, cs, so, tc, y, yo, act, ao);
          case GRU -> gruRow(h, xw, xo, bx, bhn, hh, ho, hs, so, tc, y, yo, act, ao);
          default -> rnnRow(d.cell(), h, xw, xo, bx, hh, ho, hs, so, y, yo, act, ao);
        }
      }
    }
    System.arraycopy(hs, 0, hT, n0 * h, rows * h);
    if (cT != null) System.arraycopy(cs, 0, cT, n0 * h, rows * h);
  }

  // Each row function gets the row's h W_hh^T in hh[ho ..] and leaves the activated gates there; tc
  // is a scratch row of H. The activations run as separate passes over the row (squash), so that the
  // one vector tanh is inlined once, into squash: inlined into every caller, C2 gave up and boxed it.

  // i, f, g, o = sig, sig, tanh, sig of (xw + bx + hh);  c = f c + i g;  h = o tanh(c).
  private static void lstmRow(int h, float[] xw, int xo, float[] bx, float[] hh, int ho, float[] hs, float[] cs, int so,
                      float[] tc, float[] y, int yo, float[] act, int ao) {
    addInto(hh, ho, xw, xo, bx, 4 * h);
    squash(hh, ho, 2 * h, true);
    squash(hh, ho + 2 * h, h, false);
    squash(hh, ho + 3 * h, h, true);
    int u = Simd.ENABLED ? RecurrentVector.lstmCell(h, hh, ho, cs, so, tc, act, ao) : 0;
    for (; u < h; u++) {
      float cp = cs[so + u], c = hh[ho + h + u] * cp + hh[ho + u] * hh[ho + 2 * h + u];
      cs[so + u] = c;
      tc[u] = c;
      if (act != null) act[ao + 4 * h + u] = cp;
    }
    squash(tc, 0, h, false);
    u = Simd.ENABLED ? RecurrentVector.lstmOut(h, hh, ho, tc, hs, so, y, yo) : 0;
    for (; u < h; u++) {
      float hn = hh[ho + 3 * h + u] * tc[u];
      hs[so + u] = hn;
      y[yo + u] = hn;
    }
    if (act != null) {   // i, f, g, o, (c_{t-1} above), tanh(c)
      System.arraycopy(hh, ho, act, ao, 4 * h);
      System.arraycopy(tc, 0, act, ao + 5 * h, h);
    }
  }

  // r, z = sig(xw + bx + hh);  hn = hh_n + b_hn;  n = tanh(xw_n + b_in + r hn);  h = n + z (h - n).
  private static void gruRow(int h, float[] xw, int xo, float[] bx, float[] bhn, float[] hh, int ho, float[] hs, int so,
                     float[] tc, float[] y, int yo, float[] act, int ao) {
    addInto(hh, ho, xw, xo, bx, 2 * h);
    squash(hh, ho, 2 * h, true);
    int u = Simd.ENABLED ? RecurrentVector.gruCandidate(h, xw, xo, bx, bhn, hh, ho, tc) : 0;
    for (; u < h; u++) {   // hn into hh's n block; n's argument into tc
      float hn = hh[ho + 2 * h + u] + bhn[u];
      hh[ho + 2 * h + u] = hn;
      tc[u] = xw[xo + 2 * h + u] + bx[2 * h + u] + hh[ho + u] * hn;
    }
    squash(tc, 0, h, false);
    u = Simd.ENABLED ? RecurrentVector.gruOut(h, hh, ho, tc, hs, so, y, yo) : 0;
    for (; u < h; u++) {
      float n = tc[u], hnew = n + hh[ho + h + u] * (hs[so + u] - n);
      hs[so + u] = hnew;
      y[yo + u] = hnew;
    }
    if (act != null) {   // r, z, n, hn
      System.arraycopy(hh, ho, act, ao, 2 * h);
      System.arraycopy(tc, 0, act, ao + 2 * h, h);
      System.arraycopy(hh, ho + 2 * h, act, ao + 3 * h, h);
    }
  }

  // h = act(xw + bx + hh).
  private static void rnnRow(Cell cell, int h, float[] xw, int xo, float[] bx, float[] hh, int ho, float[] hs, int so,
                             float[] y, int yo, float[] act, int ao) {
    addInto(hh, ho, xw, xo, bx, h);
    if (cell == Cell.RNN_RELU) {
      for (int u = Simd.ENABLED ? RecurrentVector.relu(hh, ho, h) : 0; u < h; u++) hh[ho + u] = Math.max(hh[ho + u], 0f);
    } else {
      squash(hh, ho, h, cell == Cell.RNN_SIGMOID);
    }
    System.arraycopy(hh, ho, hs, so, h);
    System.arraycopy(hh, ho, y, yo, h);
    if (act != null) System.arraycopy(hh, ho, act, ao, h);
  }

  // a[ao + j] += xw[xo + j] + bx[j] for j < n.
  private static void addInto(float[] a, int ao, float[] xw, int xo, float[] bx, int n) {
    for (int j = Simd.ENABLED ? RecurrentVector.addInto(a, ao, xw, xo, bx, n) : 0; j < n; j++) a[ao + j] += xw[xo + j] + bx[j];
  }

  // a[ao .. ao + n) = sigmoid(a) or tanh(a), in place.
  private static void squash(float[] a, int ao, int n, boolean sigmoid) {
    for (int j = Simd.ENABLED ? RecurrentVector.squash(a, ao, n, sigmoid) : 0; j < n; j++)
      a[ao + j] = sigmoid ? sigmoid(a[ao + j]) : tanh(a[ao + j]);
  }

  // ---------------------------------------------------------------- backward

  /**
   * Backpropagation through time. Given the gradients of the output sequence ({@code dy}, may be null)
   * and of the final state ({@code dhT}, {@code dcT}, may be null), writes the gradients of the gate
   * pre-activations: {@code dgx} on the x side (for dW_ih, db_ih, dx) and {@code dgh} on the h side
   * (for dW_hh, db_hh), the same array except for the GRU, whose n gate sees {@code r (W_hn h + b_hn)}.
   * Padded steps get zero rows. {@code dh0}, {@code dc0} receive the initial-state gradients when
   * non-null. The bias gradients (sums of dgx and dgh over batch and steps) are added into {@code dbx},
   * {@code dbh} when non-null.
   *
   * @param dgx, dgh [N, T, G*H] (or longer), every row written, zeros at padded steps
   */
  public static void backward(Dims d, float[] wHh, float[] mask, float[] prev, float[] act, float[] dy, float[] dhT,
                              float[] dcT, float[] dgx, float[] dgh, float[] dh0, float[] dc0, float[] dbx,
                              float[] dbh) {
    float[] wp = pack(wHh, d.gh(), d.hidden());   // B = W_hh [G*H, H]: dh_{t-1} = dg_t W_hh
    int blocks = (d.batch() + MR - 1) / MR, gh = d.gh();
    double[][] sums = new double[blocks][];   // per block: column sums of its dgx (and dgh) rows
    eachBlock(d, d.gh(), b -> sums[b] = backwardRows(d, b * MR, Math.min(d.batch(), (b + 1) * MR), wp, mask, prev, act,
        dy, dhT, dcT, dgx, dgh, dh0, dc0));
    for (int j = 0; j < gh; j++) {   // in block order: the same sums however the blocks were shared out
      double x = 0, y = 0;
      for (double[] part : sums) {
        x += part[j];
        y += part[dgh == dgx ? j : gh + j];
      }
      if (dbx != null) dbx[j] += (float) x;
      if (dbh != null) dbh[j] += (float) y;
    }
  }

  // Returns the column sums of the rows' dgx (and, for the GRU, dgh after them), accumulated step by
  // step while the rows are in cache: in float over 64 steps, then in double, so that long sequences
  // keep the rounding error of a short sum.
  private static double[] backwardRows(Dims d, int n0, int n1, float[] wp, float[] mask, float[] prev, float[] act,
                                      float[] dy, float[] dhT, float[] dcT, float[] dgx, float[] dgh, float[] dh0,
                                      float[] dc0) {
    int rows = n1 - n0, h = d.hidden(), gh = d.gh(), steps = d.steps(), sw = d.cell().saved * h;
    int ldc = roundUp(h, NR);
    float[] sums = new float[dgh == dgx ? gh : 2 * gh];
    double[] total = new double[sums.length];
    float[] dh = new float[rows * h];                         // dL/dh of the state after the current step
    float[] dc = d.cell() == Cell.LSTM ? new float[rows * h] : null;
    float[] dhr = new float[rows * ldc];                      // dg_t W_hh
    if (dhT != null) System.arraycopy(dhT, n0 * h, dh, 0, rows * h);
    if (dcT != null && dc != null) System.arraycopy(dcT, n0 * h, dc, 0, rows * h);
    for (int s = steps - 1; s >= 0; s--) {
      int t = d.reverse() ? steps - 1 - s : s;
      for (int r = 0; r < rows; r++) {
        int nt = (n0 + r) * steps + t;
        int go = nt * gh;
        if (mask != null && mask[nt] == 0f) {   // padding: dh, dc pass through, gates get nothing
          java.util.Arrays.fill(dgx, go, go + gh, 0f);
          if (dgh != dgx) java.util.Arrays.fill(dgh, go, go + gh, 0f);
          continue;
        }
        int so = r * h, ao = (t * d.batch() + n0 + r) * sw, yo = nt * h;
        switch (d.cell()) {
          case LSTM -> lstmRowBackward(h, act, ao, dy, yo, dh, dc, so, dgx, go);
          case GRU -> gruRowBackward(h, act, ao, prev, yo, dy, dh, so, dgx, dgh, go);
          default -> rnnRowBackward(d.cell(), h, act, ao, dy, yo, dh, so, dgx, go);
        }
        Pointwise.axpy(gh, 1f, dgx, go, sums, 0);
        if (dgh != dgx) Pointwise.axpy(gh, 1f, dgh, go, sums, gh);
      }
      if (s % 64 == 0) {
        for (int j = 0; j < sums.length; j++) total[j] += sums[j];
        java.util.Arrays.fill(sums, 0f);
      }
      stepGemm(rows, gh, dgh, (n0 * steps + t) * gh, steps * gh, wp, dhr, 0, ldc);
      for (int r = 0; r < rows; r++) Pointwise.axpy(h, 1f, dhr, r * ldc, dh, r * h);
    }
    if (dh0 != null) System.arraycopy(dh, 0, dh0, n0 * h, rows * h);
    if (dc0 != null && dc != null) System.arraycopy(dc, 0, dc0, n0 * h, rows * h);
    return total;
  }

  // Forward was: c = f cp + i g;  h = o tc, tc = tanh(c).  With dh = dh + dy:
  // dc += dh o (1 - tc^2);  do = dh tc;  di = dc g;  df = dc cp;  dg = dc i;  dcp = dc f;
  // each times its activation's derivative. dh of the previous state comes only through W_hh.
  private static void lstmRowBackward(int h, float[] act, int ao, float[] dy, int yo, float[] dh, float[] dc, int so,
                                      float[] dg, int go) {
    for (int u = Simd.ENABLED ? RecurrentVector.lstmRowBackward(h, act, ao, dy, yo, dh, dc, so, dg, go) : 0; u < h; u++) {
      float i = act[ao + u], f = act[ao + h + u], g = act[ao + 2 * h + u], o = act[ao + 3 * h + u];
      float cp = act[ao + 4 * h + u], tc = act[ao + 5 * h + u];
      float dhv = dh[so + u] + (dy != null ? dy[yo + u] : 0f);
      float dcv = dhv * o * (1 - tc * tc) + dc[so + u];
      dg[go + u] = dcv * g * i * (1 - i);
      dg[go + h + u] = dcv * cp * f * (1 - f);
      dg[go + 2 * h + u] = dcv * i * (1 - g * g);
      dg[go + 3 * h + u] = dhv * tc * o * (1 - o);
      dc[so + u] = dcv * f;
      dh[so + u] = 0f;
    }
  }

  // Forward was: h = n + z (hp - n), n = tanh(xn + r hn).  dn = dh (1 - z);  dz = dh (hp - n);
  // dhp = dh z (+ the W_hh term);  dn' = dn (1 - n^2);  dr = dn' hn;  d(hn) = dn' r.
  private static void gruRowBackward(int h, float[] act, int ao, float[] prev, int po, float[] dy, float[] dh, int so,
                                     float[] dgx, float[] dgh, int go) {
    for (int u = Simd.ENABLED ? RecurrentVector.gruRowBackward(h, act, ao, prev, po, dy, dh, so, dgx, dgh, go) : 0; u < h; u++) {
      float r = act[ao + u], z = act[ao + h + u], n = act[ao + 2 * h + u], hn = act[ao + 3 * h + u];
      float hp = prev[po + u];
      float dhv = dh[so + u] + (dy != null ? dy[po + u] : 0f);
      float dn = dhv * (1 - z) * (1 - n * n);
      float dr = dn * hn * r * (1 - r), dz = dhv * (hp - n) * z * (1 - z);
      dgx[go + u] = dr;
      dgx[go + h + u] = dz;
      dgx[go + 2 * h + u] = dn;
      dgh[go + u] = dr;
      dgh[go + h + u] = dz;
      dgh[go + 2 * h + u] = dn * r;
      dh[so + u] = dhv * z;
    }
  }

  // Forward was: h = act(p).  dp = dh act'(p), from h: tanh 1 - h^2, sigmoid h (1 - h), relu h > 0.
  private static void rnnRowBackward(Cell cell, int h, float[] act, int ao, float[] dy, int yo, float[] dh, int so,
                                     float[] dg, int go) {
    for (int u = Simd.ENABLED ? RecurrentVector.rnnRowBackward(cell, h, act, ao, dy, yo, dh, so, dg, go) : 0; u < h; u++) {
      float hv = act[ao + u], dhv = dh[so + u] + (dy != null ? dy[yo + u] : 0f);
      dg[go + u] = switch (cell) {
        case RNN_RELU -> hv > 0f ? dhv : 0f;
        case RNN_SIGMOID -> dhv * hv * (1 - hv);
        default -> dhv * (1 - hv * hv);
      };
      dh[so + u] = 0f;
    }
  }

  // ---------------------------------------------------------------- activations

  static float sigmoid(float x) {
    return (float) (1.0 / (1.0 + Math.exp(-x)));
  }

  static float tanh(float x) {
    return (float) Math.tanh(x);
  }

  // ---------------------------------------------------------------- step GEMM

  /**
   * Packs {@code B = W^T} for {@code W: [n, k]} into NR-wide strips {@code [k][NR]}, zero-padded to
   * whole strips: strip s holds columns {@code s*NR ..} of B at {@code s * k * NR}.
   */
  static float[] packTransposed(float[] w, int n, int k) {
    int strips = (n + NR - 1) / NR;
    float[] bp = new float[strips * k * NR];
    for (int j = 0; j < n; j++) {
      int base = (j / NR) * k * NR + j % NR;
      for (int p = 0; p < k; p++) bp[base + p * NR] = w[j * k + p];
    }
    return bp;
  }

  /** Packs {@code B = W} for {@code W: [k, n]} into strips as {@link #packTransposed}. */
  static float[] pack(float[] w, int k, int n) {
    int strips = (n + NR - 1) / NR;
    float[] bp = new float[strips * k * NR];
    for (int s = 0; s < strips; s++) {
      int cols = Math.min(NR, n - s * NR);
      for (int p = 0; p < k; p++) System.arraycopy(w, p * n + s * NR, bp, (s * k + p) * NR, cols);
    }
    return bp;
  }

  /**
   * {@code C[rows, ldc] = A[rows, k] * Bp} with B packed by {@link #pack}/{@link #packTransposed} into
   * {@code ldc / NR} strips; A is read in place ({@code a[aOff + r * lda + p]}). C's padding columns
   * receive zeros' products, so C needs no edge handling. Serial: callers split rows across threads.
   */
  static void stepGemm(int rows, int k, float[] a, int ai, int lda, float[] bp, float[] c, int ci, int ldc) {
    int strips = ldc / NR;
    int r = 0;
    for (; r + MR <= rows; r += MR)
      for (int s = 0; s < strips; s++) Gemm.kernel(k, a, ai + r * lda, lda, 1, bp, s * k * NR, c, ci + r * ldc + s * NR, ldc, false);
    for (; r < rows; r++)
      for (int s = 0; s < strips; s++) tile1(k, a, ai + r * lda, bp, s * k * NR, c, ci + r * ldc + s * NR);
  }

  // One row: C[1, NR] = A[1, k] Bstrip[k, NR] (on the vector path two accumulators per vector).
  private static void tile1(int k, float[] a, int ai, float[] bp, int bi, float[] c, int ci) {
    if (Simd.ENABLED) {
      RecurrentVector.tile1(k, a, ai, bp, bi, c, ci);
      return;
    }
    java.util.Arrays.fill(c, ci, ci + NR, 0f);
    for (int p = 0; p < k; p++) {
      float x = a[ai + p];
      int b = bi + p * NR;
      for (int j = 0; j < NR; j++) c[ci + j] += x * bp[b + j];
    }
  }

  private static int roundUp(int x, int to) {
    return (x + to - 1) / to * to;
  }
}
