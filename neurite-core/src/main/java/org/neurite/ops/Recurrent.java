package org.neurite.ops;

import org.neurite.autograd.Tape;
import org.neurite.kernels.Gemm;
import org.neurite.kernels.Recurrent.Cell;
import org.neurite.kernels.Recurrent.Dims;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * A recurrent layer (one direction of one layer of an Elman RNN, LSTM or GRU) over a whole sequence as
 * one differentiable op: one tape node however long the sequence, with backpropagation through time
 * in its backward. PyTorch's weight layouts and gate orders, batch-first tensors.
 *
 * <p>The weight gradients and dx are each one GEMM over all steps ({@code [G*H, N*T] x [N*T, F]}, ...);
 * the forward pass, with its input projections, and the per-step part of the backward pass run in
 * {@link org.neurite.kernels.Recurrent}. Not here: stacking, bidirectional wiring and dropout between
 * layers (nn.RecurrentLayer, nn.Bidirectional).
 *
 * <p>Thread-safe: static methods with no shared mutable state (the graph lives in the tensors, grad mode
 * and workspaces are per thread); the tensors themselves are not thread-safe.
 */
public final class Recurrent {
  private Recurrent() {}

  /**
   * The outputs of a run: {@code sequence} {@code [N, T, H]} (0 at padded steps), the final hidden
   * state {@code h} {@code [N, H]} (after each sequence's last real step) and, for the LSTM, the final
   * cell state {@code c} {@code [N, H]} (null for other cells).
   */
  public record Result(Tensor sequence, Tensor h, Tensor c) {}

  /**
   * Runs {@code cell} over {@code x}.
   *
   * <p>Shape: x {@code [N, T, F]}; wIh {@code [G*H, F]}, wHh {@code [G*H, H]}, bIh and bHh {@code [G*H]}
   * (null: no bias) with G = 4 (LSTM: i, f, g, o), 3 (GRU: r, z, n) or 1 (RNN); h0, c0 {@code [N, H]}
   * or null (zeros; c0 only for the LSTM); mask {@code [N, T]} or null (1 = real step, 0 = padding,
   * handled as PyTorch's packed sequences). {@code reverse} runs from the last step to the first (the
   * backward half of a bidirectional layer; padding is skipped, so each sequence starts at its end).
   *
   * <pre>{@code
   * var r = Recurrent.sequence(Cell.LSTM, x, null, null, wIh, wHh, bIh, bHh, null, false);
   * Tensor last = r.h();   // [N, H]
   * }</pre>
   */
  // Forward, per step t:  g_t = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh, then the cell.
  // Backward, with dg_t the gate gradients from the cell's backward (kernel, step by step):
  //   dW_ih = sum_t dg_t^T x_t,  dx = dg W_ih,  dW_hh = sum_t dg_t^T h_{t-1}: each one GEMM over all
  //   N*T rows;  db = sum_t dg_t, summed by the kernel as it goes.
  public static Result sequence(Cell cell, Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bIh,
                                Tensor bHh, Tensor mask, boolean reverse) {
    check(cell, x, h0, c0, wIh, wHh, bIh, bHh, mask);
    int n = x.shape(0), t = x.shape(1), f = x.shape(2), gh = wHh.shape(0), h = wHh.shape(1);
    Dims d = new Dims(cell, n, t, h, reverse);
    boolean lstm = cell == Cell.LSTM;
    float[] xs = x.data(), wi = wIh.data(), wh = wHh.data();
    float[] bi = bIh == null ? new float[gh] : bIh.data(), bh = bHh == null ? new float[gh] : bHh.data();
    float[] m = mask == null ? null : mask.data();
    boolean grad = Tape.needed(x, h0, c0, wIh, wHh, bIh, bHh);
    float[] prev = grad ? new float[n * t * h] : null, act = grad ? new float[n * t * cell.saved * h] : null;
    float[] y = new float[n * t * h], hT = new float[n * h], cT = lstm ? new float[n * h] : null;
    org.neurite.kernels.Recurrent.forward(d, xs, f, wi, wh, bi, bh, m, h0 == null ? null : h0.data(),
        c0 == null ? null : c0.data(), y, hT, cT, prev, act);
    Tensor ys = Tensor.of(y, n, t, h), hs = Tensor.of(hT, n, h), cs = lstm ? Tensor.of(cT, n, h) : null;
    if (!grad) return new Result(ys, hs, cs);

    // One node computes the three outputs; it stands on the tape as a flat [N*T*H + N*H (+ N*H)] tensor
    // (no storage of its own) from which each output is unpacked with a thin node of its own.
    int total = n * t * h + n * h + (lstm ? n * h : 0);
    Tensor all = Tensor.wrap(new float[1], 0, new int[] {total}, new int[] {0});
    boolean[] used = new boolean[3];   // which outputs got a gradient: their unpack backward ran first
    Tape.record(cell.name().toLowerCase(java.util.Locale.ROOT), all, dAll -> {
      float[] g = dAll.data();   // [dy | dhT | dcT]
      float[] dy = used[0] ? g : null;
      float[] dhT = used[1] ? java.util.Arrays.copyOfRange(g, n * t * h, n * t * h + n * h) : null;
      float[] dcT = used[2] ? java.util.Arrays.copyOfRange(g, n * t * h + n * h, total) : null;
      float[] dgx = scratch(0, n * t * gh), dgh = cell == Cell.GRU ? scratch(1, n * t * gh) : dgx;
      float[] dh0 = h0 != null && h0.requiresGrad() ? new float[n * h] : null;
      float[] dc0 = c0 != null && c0.requiresGrad() ? new float[n * h] : null;
      float[] dbi = bIh != null && bIh.requiresGrad() ? new float[gh] : null;
      float[] dbh = bHh != null && bHh.requiresGrad() ? new float[gh] : null;
      org.neurite.kernels.Recurrent.backward(d, wh, m, prev, act, dy, dhT, dcT, dgx, dgh, dh0, dc0, dbi, dbh);
      Tensor dx = null, dwi = null, dwh = null;
      if (x.requiresGrad()) {          // dx = dg W_ih
        float[] v = new float[n * t * f];
        Gemm.gemm(false, false, n * t, f, gh, dgx, 0, gh, wi, 0, f, false, v, 0, f);
        dx = Tensor.of(v, x.shape());
      }
      if (wIh.requiresGrad()) {        // dW_ih = dg^T x
        float[] v = new float[gh * f];
        Gemm.gemm(true, false, gh, f, n * t, dgx, 0, gh, xs, 0, f, false, v, 0, f);
        dwi = Tensor.of(v, gh, f);
      }
      if (wHh.requiresGrad()) {        // dW_hh = dg^T h_prev
        float[] v = new float[gh * h];
        Gemm.gemm(true, false, gh, h, n * t, dgh, 0, gh, prev, 0, h, false, v, 0, h);
        dwh = Tensor.of(v, gh, h);
      }
      return new Tensor[] {dx, dh0 == null ? null : Tensor.of(dh0, n, h), dc0 == null ? null : Tensor.of(dc0, n, h),
          dwi, dwh, dbi == null ? null : Tensor.of(dbi, gh), dbh == null ? null : Tensor.of(dbh, gh)};
    }, x, h0, c0, wIh, wHh, bIh, bHh);
    return new Result(unpack(all, ys, 0, used, 0), unpack(all, hs, n * t * h, used, 1),
        lstm ? unpack(all, cs, n * t * h + n * h, used, 2) : null);
  }

  // The gate gradients live only inside one backward call, so each thread reuses one buffer from call
  // to call: the seed model's 13 MB per step need not be allocated, zeroed and collected each time.
  private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

  private static float[] scratch(int slot, int size) {
    float[][] s = SCRATCH.get();
    if (s[slot].length < size) s[slot] = new float[size];
    return s[slot];
  }

  // out = all[at : at + out.size] (already computed).  d(all) = zeros with d(out) at that place.
  private static Tensor unpack(Tensor all, Tensor out, int at, boolean[] used, int part) {
    int total = all.size();
    return Tape.record("unpack", out, dOut -> {
      used[part] = true;
      float[] g = new float[total];
      System.arraycopy(dOut.data(), 0, g, at, dOut.size());
      return new Tensor[] {Tensor.of(g, total)};
    }, all);
  }

  private static void check(Cell cell, Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh,
                            Tensor mask) {
    String op = cell.name().toLowerCase(java.util.Locale.ROOT);
    if (x.rank() != 3)
      throw new IllegalArgumentException(op + ": expected input [N, T, F], got " + Shape.str(x.shape())
          + (x.rank() == 2 ? ". Hint: add the batch axis: x.unsqueeze(0)" : ""));
    int n = x.shape(0), t = x.shape(1), f = x.shape(2);
    if (wHh.rank() != 2 || wHh.shape(0) != cell.gates * wHh.shape(1) || wHh.shape(1) == 0)
      throw new IllegalArgumentException(op + ": weight_hh must be [" + cell.gates + "*H, H], got " + Shape.str(wHh.shape()));
    int h = wHh.shape(1), gh = cell.gates * h;
    if (wIh.rank() != 2 || wIh.shape(0) != gh || wIh.shape(1) != f)
      throw new IllegalArgumentException(op + ": weight_ih must be [" + gh + ", " + f + "] for input "
          + Shape.str(x.shape()) + " and hidden size " + h + ", got " + Shape.str(wIh.shape()));
    for (Tensor b : new Tensor[] {bIh, bHh})
      if (b != null && (b.rank() != 1 || b.shape(0) != gh))
        throw new IllegalArgumentException(op + ": biases must be [" + gh + "], got " + Shape.str(b.shape()));
    if (h0 != null && !Shape.same(h0.shape(), new int[] {n, h}))
      throw new IllegalArgumentException(op + ": initial h must be [" + n + ", " + h + "], got " + Shape.str(h0.shape()));
    if (c0 != null && cell != Cell.LSTM)
      throw new IllegalArgumentException(op + ": only the LSTM has a cell state; got an initial c");
    if (c0 != null && !Shape.same(c0.shape(), new int[] {n, h}))
      throw new IllegalArgumentException(op + ": initial c must be [" + n + ", " + h + "], got " + Shape.str(c0.shape()));
    if (mask != null && !Shape.same(mask.shape(), new int[] {n, t}))
      throw new IllegalArgumentException(op + ": mask must be [" + n + ", " + t + "] (batch, steps) for input "
          + Shape.str(x.shape()) + ", got " + Shape.str(mask.shape()));
  }
}
