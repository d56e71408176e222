package org.neurite.nn;

import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * Luong's multiplicative attention (Luong, Pham and Manning, 2015, "Effective Approaches to
 * Attention-based Neural Machine Translation"), the "dot" and "general" scores:
 * <pre>
 *   score(q, h_j) = q^T h_j          (dot: the query and the values must have one width)
 *   score(q, h_j) = q^T W h_j        (general)
 *   weights       = softmax_j(score)  (padded values get weight 0)
 *   context       = sum_j weights_j h_j
 * </pre>
 * Cheaper than {@link AdditiveAttention}: the scores are one batched product, with no hidden layer
 * over every (query, value) pair. Same call and shapes as AdditiveAttention: query {@code [N, Hq]} or
 * {@code [N, Tq, Hq]}, values {@code [N, T, Hv]}, valueMask {@code [N, T]} (1 = real) to context and
 * weights. Parameter ("general" only): "W.weight" {@code [Hq, Hv]} (a Dense from Hv to Hq, no bias).
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class MultiplicativeAttention extends Module implements SourceAttention {
  /** Everything needed to rebuild this layer: "dot" or "general", and the query width. */
  public record Config(String score, int queryDim) {}

  private final boolean general;
  private final int queryDim;
  private final Dense w;

  /** {@code score} is "dot" or "general"; {@code queryDim} is Hq ("general" maps the values to it). */
  public MultiplicativeAttention(String score, int queryDim) {
    if (!score.equals("dot") && !score.equals("general"))
      throw new IllegalArgumentException("MultiplicativeAttention: score \"" + score + "\" is not dot or general");
    if (queryDim < 1) throw new IllegalArgumentException("MultiplicativeAttention: queryDim (" + queryDim + ") must be >= 1");
    this.general = score.equals("general");
    this.queryDim = queryDim;
    this.w = general ? child("W", new Dense(queryDim, false)) : null;
  }

  public Config config() {
    return new Config(general ? "general" : "dot", queryDim);
  }

  @Override
  public void build(int queryDim, int valueDim) {
    if (general) w.buildFor(new int[] {1, valueDim});
  }

  @Override
  public Tensor forward(Tensor x) {
    return call(x, x, null).context();
  }

  /** Attends from {@code query} over {@code values}; {@code valueMask} may be null. */
  @Override
  public Result call(Tensor query, Tensor values, Tensor valueMask) {
    boolean oneStep = SourceAttention.checkShapes(this, query, values, queryDim);
    if (!general && values.shape(2) != queryDim)
      throw new IllegalArgumentException(this + ": the dot score needs values as wide as the query (" + queryDim + "), got "
          + Shape.str(values.shape()) + "; use the general score");
    Tensor q = oneStep ? query.unsqueeze(1) : query;                    // [N, Tq, Hq]
    Tensor keys = general ? w.forward(values) : values;                 // W h: [N, T, Hq]
    return SourceAttention.attend(q.matmul(keys.transpose(1, 2)), values, valueMask, oneStep);   // scores [N, Tq, T]
  }

  @Override
  public String toString() {
    return "MultiplicativeAttention(" + (general ? "general" : "dot") + ", " + queryDim + ")";
  }
}
