package org.neurite.nn;

import org.neurite.tensor.Tensor;

/**
 * Bahdanau (additive) attention (Bahdanau, Cho and Bengio, 2015, "Neural Machine Translation by
 * Jointly Learning to Align and Translate"):
 * <pre>
 *   score(q, h_j) = v^T tanh(W q + U h_j + b)
 *   weights       = softmax_j(score)          (padded values get weight 0)
 *   context       = sum_j weights_j h_j
 * </pre>
 * Args: {@code units}, the width of the hidden score layer. Shape: query {@code [N, Hq]} (one decoder
 * step) or {@code [N, Tq, Hq]} (all steps at once), values {@code [N, T, Hv]}, valueMask
 * {@code [N, T]} (1 = real) to context {@code [N, Hv]} / {@code [N, Tq, Hv]} and weights
 * {@code [N, T]} / {@code [N, Tq, T]}. {@code forward(x)} is self-attention (query = values = x).
 * Parameters: "W.weight" {@code [units, Hq]}, "U.weight" {@code [units, Hv]}, "U.bias" {@code [units]}
 * (the b above), "v.weight" {@code [1, units]}.
 *
 * <pre>{@code
 * var attn = new AdditiveAttention(128);
 * var r = attn.call(decoderState, encoderOutputs, sourceMask);   // r.context(): [N, Hv]
 * }</pre>
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class AdditiveAttention extends Module implements SourceAttention {
  /** Everything needed to rebuild this layer. */
  public record Config(int units) {}

  private final int units;
  private final Dense w, u, v;

  public AdditiveAttention(int units) {
    if (units < 1) throw new IllegalArgumentException("AdditiveAttention: units (" + units + ") must be >= 1");
    this.units = units;
    this.w = child("W", new Dense(units, false));
    this.u = child("U", new Dense(units));
    this.v = child("v", new Dense(1, false));
  }

  public Config config() {
    return new Config(units);
  }

  // The Dense layers fix only their last axis: built here for one step, in the order a first call builds
  // them (so a seeded model draws the same initial weights).
  @Override
  public void build(int queryDim, int valueDim) {
    u.buildFor(new int[] {1, valueDim});
    w.buildFor(new int[] {1, queryDim});
    v.buildFor(new int[] {1, 1, units});
  }

  @Override
  public Tensor forward(Tensor x) {
    return call(x, x, null).context();
  }

  /** Attends from {@code query} over {@code values}; {@code valueMask} may be null. */
  @Override
  public Result call(Tensor query, Tensor values, Tensor valueMask) {
    boolean oneStep = SourceAttention.checkShapes(this, query, values, -1);
    int n = values.shape(0), t = values.shape(1);
    Tensor q = oneStep ? query.unsqueeze(1) : query;                    // [N, Tq, Hq]
    int tq = q.shape(1);
    Tensor keys = u.forward(values);                                    // U h + b: [N, T, units]
    Tensor e = w.forward(q).unsqueeze(2).add(keys.unsqueeze(1)).tanh(); // [N, Tq, T, units]
    return SourceAttention.attend(v.forward(e).reshape(n, tq, t), values, valueMask, oneStep);
  }

  @Override
  public String toString() {
    return "AdditiveAttention(" + units + ")";
  }
}
