package org.neurite.ops;

import org.neurite.autograd.Tape;
import org.neurite.kernels.AttentionKernels;
import org.neurite.kernels.AttentionKernels.Dims;
import org.neurite.kernels.AttentionKernels.View;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;
import org.neurite.tensor.Workspace;

/**
 * Scaled dot-product attention ("Attention Is All You Need", Vaswani et al. 2017), fused: scores,
 * masks, softmax, dropout and the weighted sum run as one kernel per (batch, head) block, and the
 * backward reuses the saved probabilities. Also here: the masked softmax of attention pooling and
 * additive attention. The projections around attention are {@link LinearAlgebra#linear}.
 *
 * <pre>
 *   weights = softmax(q k^T / sqrt(dk) + mask)      [.., Tq, S]
 *   out     = dropout(weights) v                    [.., Tq, dv]
 * </pre>
 * Masks: {@code keyPaddingMask [N, S]} holds 1 for a real key and 0 for padding (the opposite of
 * PyTorch's boolean {@code key_padding_mask}, which marks the padding); {@code causal} hides key j
 * from query i when j > i. A query that sees no key at all gets all-zero weights and a zero output
 * (PyTorch gives NaN there).
 *
 * <p>Three layouts, one kernel: {@link #scaledDotProduct} takes PyTorch's {@code [N, H, T, d]};
 * {@link #multiHead} takes the heads packed along features, {@code [N, T, H * d]}, as the projections
 * of a multi-head layer produce them; {@link #multiHeadSelf} takes one packed {@code [N, T, 3E]}
 * projection holding q, k and v, and returns its gradient in one piece. Strided inputs are read in
 * place as long as their last axis is contiguous.
 *
 * <p>The returned weights are the softmax probabilities before dropout and carry no gradient.
 *
 * <p>Thread-safe: static methods with no shared mutable state (the graph lives in the tensors, grad mode
 * and workspaces are per thread); the tensors themselves are not thread-safe.
 */
public final class Attention {
  private Attention() {}

  /** The attention output and the attention weights (null when not asked for). */
  public record Result(Tensor output, Tensor weights) {}

  /**
   * PyTorch's layout: q {@code [N, H, Tq, dk]}, k {@code [N, H, S, dk]}, v {@code [N, H, S, dv]}; returns
   * out {@code [N, H, Tq, dv]} and weights {@code [N, H, Tq, S]}. No dropout.
   *
   * <pre>{@code
   * var r = Attention.scaledDotProduct(q, k, v, null, true);   // causal self-attention
   * }</pre>
   */
  public static Result scaledDotProduct(Tensor q, Tensor k, Tensor v, Tensor keyPaddingMask, boolean causal) {
    return scaledDotProduct(q, k, v, keyPaddingMask, causal, 0f, null);
  }

  /** As above, with dropout of rate {@code dropout} on the weights when {@code rng} is not null (training). */
  public static Result scaledDotProduct(Tensor q, Tensor k, Tensor v, Tensor keyPaddingMask, boolean causal,
                                        float dropout, Rng rng) {
    String op = "scaled_dot_product_attention";
    for (Tensor t : new Tensor[] {q, k, v})
      if (t.rank() != 4)
        throw new IllegalArgumentException(op + ": q, k and v must be [N, H, T, d], got q " + Shape.str(q.shape())
            + ", k " + Shape.str(k.shape()) + ", v " + Shape.str(v.shape()));
    int n = q.shape(0), h = q.shape(1), tq = q.shape(2), dk = q.shape(3), s = k.shape(2), dv = v.shape(3);
    if (k.shape(0) != n || v.shape(0) != n || k.shape(1) != h || v.shape(1) != h || v.shape(2) != s || k.shape(3) != dk)
      throw new IllegalArgumentException(op + ": q " + Shape.str(q.shape()) + ", k " + Shape.str(k.shape()) + ", v "
          + Shape.str(v.shape()) + " do not fit: need q [N, H, Tq, dk], k [N, H, S, dk], v [N, H, S, dv]");
    float[] mask = mask(op, keyPaddingMask, n, s);
    Tensor qc = rowContiguous(q), kc = rowContiguous(k), vc = rowContiguous(v);
    Dims d = dims(op, n, h, tq, s, dk, dv, causal, dropout, rng);
    boolean grad = Tape.needed(q, k, v);
    float[] out = new float[n * h * tq * dv], probs = new float[n * h * tq * s];
    AttentionKernels.forward(d, view4(qc), view4(kc), view4(vc), new View(out, 0, h * tq * dv, tq * dv, dv), mask, probs, null);
    Tensor weights = Tensor.of(probs, n, h, tq, s);
    Tensor y = Tensor.of(out, n, h, tq, dv);
    if (!grad) return new Result(y, weights);
    Tape.record(op, y, dy -> {
      float[] dq = new float[n * h * tq * dk], dkk = new float[n * h * s * dk], dvv = new float[n * h * s * dv];
      AttentionKernels.backward(d, view4(qc), view4(kc), view4(vc), probs, new View(dy.data(), 0, h * tq * dv, tq * dv, dv),
          new View(dq, 0, h * tq * dk, tq * dk, dk), new View(dkk, 0, h * s * dk, s * dk, dk), new View(dvv, 0, h * s * dv, s * dv, dv));
      return new Tensor[] {Tensor.of(dq, q.shape()), Tensor.of(dkk, k.shape()), Tensor.of(dvv, v.shape())};
    }, q, k, v);
    return new Result(y, weights);
  }

  /**
   * The composite reference of {@link #scaledDotProduct(Tensor, Tensor, Tensor, Tensor, boolean)}, from
   * matmul, softmax and matmul, for tests: {@code softmax(q k^T / sqrt(dk) + mask) v} with masked scores
   * at -1e9 (so a query must see at least one key: where the fused kernel gives zeros, this gives the
   * mean of v).
   */
  public static Tensor scaledDotProductComposite(Tensor q, Tensor k, Tensor v, Tensor keyPaddingMask, boolean causal) {
    Tensor scores = q.matmul(k.transpose(-2, -1)).mul((float) (1.0 / Math.sqrt(q.shape(-1))));   // [N, H, Tq, S]
    int n = q.shape(0), tq = q.shape(2), s = k.shape(2);
    float[] hide = new float[n * tq * s];
    float[] m = keyPaddingMask == null ? null : keyPaddingMask.data();
    for (int b = 0; b < n; b++)
      for (int i = 0; i < tq; i++)
        for (int j = 0; j < s; j++)
          if ((m != null && m[b * s + j] == 0f) || (causal && j > i)) hide[(b * tq + i) * s + j] = -1e9f;
    return scores.add(Tensor.of(hide, n, 1, tq, s)).softmax(-1).matmul(v);
  }

  /**
   * Heads packed along features: q {@code [N, Tq, H*dk]}, k {@code [N, S, H*dk]}, v {@code [N, S, H*dv]};
   * returns out {@code [N, Tq, H*dv]} (heads concatenated, ready for the output projection) and, when
   * {@code needWeights}, the weights averaged over heads {@code [N, Tq, S]}.
   */
  public static Result multiHead(Tensor q, Tensor k, Tensor v, int heads, Tensor keyPaddingMask, boolean causal,
                                 float dropout, Rng rng, boolean needWeights) {
    String op = "multi_head_attention";
    for (Tensor t : new Tensor[] {q, k, v})
      if (t.rank() != 3)
        throw new IllegalArgumentException(op + ": q, k and v must be [N, T, E], got q " + Shape.str(q.shape())
            + ", k " + Shape.str(k.shape()) + ", v " + Shape.str(v.shape()));
    int n = q.shape(0), tq = q.shape(1), e = q.shape(2), s = k.shape(1), ev = v.shape(2);
    if (k.shape(0) != n || v.shape(0) != n || v.shape(1) != s || k.shape(2) != e)
      throw new IllegalArgumentException(op + ": q " + Shape.str(q.shape()) + ", k " + Shape.str(k.shape()) + ", v "
          + Shape.str(v.shape()) + " do not fit: need q [N, Tq, E], k [N, S, E], v [N, S, Ev]");
    checkHeads(op, heads, e, ev);
    int dk = e / heads, dv = ev / heads;
    float[] mask = mask(op, keyPaddingMask, n, s);
    Tensor qc = rowContiguous(q), kc = rowContiguous(k), vc = rowContiguous(v);
    View qv = packed(qc, dk), kv = packed(kc, dk), vv = packed(vc, dv);
    Dims d = dims(op, n, heads, tq, s, dk, dv, causal, dropout, rng);
    boolean grad = Tape.needed(q, k, v);
    float[] out = new float[n * tq * ev];
    float[] mean = needWeights ? new float[n * tq * s] : null;
    Saved saved = grad ? new Saved(n * heads * tq * s, p -> AttentionKernels.forward(d, qv, kv, vv,
        new View(new float[n * tq * ev], 0, tq * ev, dv, ev), mask, p, null)) : null;
    AttentionKernels.forward(d, qv, kv, vv, new View(out, 0, tq * ev, dv, ev), mask, grad ? saved.probs : null, mean);
    Tensor y = Tensor.of(out, n, tq, ev);
    Tensor weights = mean == null ? null : Tensor.of(mean, n, tq, s);
    if (!grad) return new Result(y, weights);
    Tape.recordSaving(op, y, new Object[] {saved.probs}, dy -> {
      float[] dq = new float[n * tq * e], dkk = new float[n * s * e], dvv = new float[n * s * ev];
      AttentionKernels.backward(d, qv, kv, vv, saved.get(), new View(dy.data(), 0, tq * ev, dv, ev),
          new View(dq, 0, tq * e, dk, e), new View(dkk, 0, s * e, dk, e), new View(dvv, 0, s * ev, dv, ev));
      saved.release();
      return new Tensor[] {Tensor.of(dq, q.shape()), Tensor.of(dkk, k.shape()), Tensor.of(dvv, v.shape())};
    }, q, k, v);
    return new Result(y, weights);
  }

  /**
   * Self-attention on one packed projection {@code qkv [N, T, 3E]} (q, k, v side by side, as
   * {@code x W_in^T + b_in} with PyTorch's {@code in_proj_weight} gives them); returns out
   * {@code [N, T, E]} and, when {@code needWeights}, the head-averaged weights {@code [N, T, T]}. The
   * gradient comes back as one {@code [N, T, 3E]} tensor: no slicing, no concatenation.
   */
  public static Result multiHeadSelf(Tensor qkv, int heads, Tensor keyPaddingMask, boolean causal, float dropout,
                                     Rng rng, boolean needWeights) {
    String op = "multi_head_self_attention";
    if (qkv.rank() != 3 || qkv.shape(2) % 3 != 0)
      throw new IllegalArgumentException(op + ": qkv must be [N, T, 3E], got " + Shape.str(qkv.shape()));
    int n = qkv.shape(0), t = qkv.shape(1), e = qkv.shape(2) / 3;
    checkHeads(op, heads, e, e);
    int dh = e / heads;
    float[] mask = mask(op, keyPaddingMask, n, t);
    Tensor x = rowContiguous(qkv);
    int[] st = x.strides();
    float[] a = x.storage();
    View qv = new View(a, x.offset(), st[0], dh, st[1]), kv = new View(a, x.offset() + e, st[0], dh, st[1]),
        vv = new View(a, x.offset() + 2 * e, st[0], dh, st[1]);
    Dims d = dims(op, n, heads, t, t, dh, dh, causal, dropout, rng);
    boolean grad = Tape.needed(qkv);
    float[] out = new float[n * t * e];
    float[] mean = needWeights ? new float[n * t * t] : null;
    Saved saved = grad ? new Saved(n * heads * t * t, p -> AttentionKernels.forward(d, qv, kv, vv,
        new View(new float[n * t * e], 0, t * e, dh, e), mask, p, null)) : null;
    AttentionKernels.forward(d, qv, kv, vv, new View(out, 0, t * e, dh, e), mask, grad ? saved.probs : null, mean);
    Tensor y = Tensor.of(out, n, t, e);
    Tensor weights = mean == null ? null : Tensor.of(mean, n, t, t);
    if (!grad) return new Result(y, weights);
    Tape.recordSaving(op, y, new Object[] {saved.probs}, dy -> {
      float[] g = new float[n * t * 3 * e];
      int bs = t * 3 * e, rs = 3 * e;
      AttentionKernels.backward(d, qv, kv, vv, saved.get(), new View(dy.data(), 0, t * e, dh, e),
          new View(g, 0, bs, dh, rs), new View(g, e, bs, dh, rs), new View(g, 2 * e, bs, dh, rs));
      saved.release();
      return new Tensor[] {Tensor.of(g, qkv.shape())};
    }, qkv);
    return new Result(y, weights);
  }

  /**
   * Softmax over the last axis of {@code scores [N, ..., T]} that gives probability 0 to the steps
   * where {@code mask [N, T]} is 0 (null: no mask); a row with no step left is all zero. The masked
   * softmax of attention pooling and additive attention.
   */
  // y = softmax(x + log(mask)).  dx = y * (dy - sum(dy * y)); masked steps have y = 0, so dx = 0 there.
  public static Tensor maskedSoftmax(Tensor scores, Tensor mask) {
    String op = "masked_softmax";
    if (scores.rank() < 2) throw new IllegalArgumentException(op + ": scores must be [N, ..., T], got " + Shape.str(scores.shape()));
    int t = scores.shape(-1), n = scores.shape(0), rows = t == 0 ? 0 : scores.size() / t;
    float[] m = mask(op, mask, n, t);
    float[] y = new float[scores.size()];
    AttentionKernels.maskedSoftmax(scores.data(), y, rows, t, m, Math.max(1, n == 0 ? 1 : rows / n));
    Tensor out = Tensor.of(y, scores.shape());
    return Tape.record(op, out, dy -> {
      float[] dx = new float[y.length];
      AttentionKernels.softmaxBackward(y, dy.data(), dx, rows, t);
      return new Tensor[] {Tensor.of(dx, scores.shape())};
    }, scores);
  }

  // ------------------------------------------------------------------ helpers

  /**
   * The attention probabilities an op keeps for its backward: taken from the workspace (inside a scope)
   * and handed back as soon as the backward has used them, so the next step reuses them; a training
   * step needs megabytes of them per layer. The arrays never leave this class: the weights a caller gets
   * back are always fresh. A second backward through the same graph recomputes the probabilities.
   */
  static final class Saved {
    final float[] probs;
    private final java.util.function.Consumer<float[]> recompute;
    private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

    Saved(int size, java.util.function.Consumer<float[]> recompute) {
      this.probs = Workspace.floats(size);
      this.recompute = recompute;
    }

    /** The forward's probabilities, or a recomputed copy once they went back to the pool. */
    float[] get() {
      if (!released.get()) return probs;
      float[] p = new float[probs.length];
      recompute.accept(p);
      return p;
    }

    /**
     * Hands the probabilities back, once: of two backward passes that finish together, only the one that
     * flips the flag does (a check then a set would let both through, and the pool would lend one array
     * twice).
     *
     * @return whether this call handed them back
     */
    boolean release() {
      if (!released.compareAndSet(false, true)) return false;
      Workspace.recycle(probs);
      return true;
    }
  }

  private static Dims dims(String op, int n, int h, int tq, int s, int dk, int dv, boolean causal, float dropout, Rng rng) {
    if (!(dropout >= 0f && dropout < 1f)) throw new IllegalArgumentException(op + ": dropout (" + dropout + ") must be in [0, 1)");
    long total = (long) n * h * tq * Math.max(s, Math.max(dk, dv));
    if (total > Integer.MAX_VALUE)
      throw new IllegalArgumentException(op + ": " + n + " x " + h + " x " + tq + " x " + s + " attention weights exceed 2^31 elements");
    boolean drop = rng != null && dropout > 0f;
    return new Dims(n, h, tq, s, dk, dv, (float) (1.0 / Math.sqrt(dk)), causal, drop ? dropout : 0f, drop ? rng.nextLong() : 0L);
  }

  private static void checkHeads(String op, int heads, int e, int ev) {
    if (heads < 1 || e % heads != 0 || ev % heads != 0)
      throw new IllegalArgumentException(op + ": embedding size " + e + (ev != e ? " (values " + ev + ")" : "")
          + " is not divisible by heads=" + heads);
  }

  /** The padding mask as a dense [n, s] array, or null. */
  private static float[] mask(String op, Tensor mask, int n, int s) {
    if (mask == null) return null;
    if (mask.rank() != 2 || mask.shape(0) != n || mask.shape(1) != s)
      throw new IllegalArgumentException(op + ": " + (op.equals("masked_softmax") ? "mask must be [N, T] = [" : "keyPaddingMask must be [N, S] = [")
          + n + ", " + s + "] (1 = real, 0 = padding), got " + Shape.str(mask.shape()));
    return mask.data();
  }

  /** t itself when its last axis is contiguous (any other strides are read in place), else a dense copy. */
  private static Tensor rowContiguous(Tensor t) {
    return t.shape(-1) <= 1 || t.strides()[t.rank() - 1] == 1 ? t : Tensor.of(t.toArray(), t.shape());
  }

  private static View view4(Tensor t) {
    int[] st = t.strides();
    return new View(t.storage(), t.offset(), st[0], st[1], st[2]);
  }

  /** [N, T, H*d] read as (n, h, t, :) blocks: head h starts at column h*d. */
  private static View packed(Tensor t, int d) {
    int[] st = t.strides();
    return new View(t.storage(), t.offset(), st[0], d, st[1]);
  }
}
