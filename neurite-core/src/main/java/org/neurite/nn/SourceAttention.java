package org.neurite.nn;

import org.neurite.ops.Attention;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * Attention from a decoder's query over an encoder's values: Bahdanau's additive score or Luong's
 * multiplicative ones. One call, one shape contract, so a translation model can take either.
 *
 * <p>Implementations are modules and, like every {@link Module}, not thread-safe.
 */
public sealed interface SourceAttention permits AdditiveAttention, MultiplicativeAttention {
  /** The context and the attention weights over the values' steps. */
  record Result(Tensor context, Tensor weights) {}

  /**
   * Attends from {@code query} ({@code [N, Hq]} or {@code [N, Tq, Hq]}) over {@code values}
   * ({@code [N, T, Hv]}); {@code valueMask} ({@code [N, T]}, 1 = real) may be null. Context
   * {@code [N, Hv]} / {@code [N, Tq, Hv]}, weights {@code [N, T]} / {@code [N, Tq, T]}.
   */
  Result call(Tensor query, Tensor values, Tensor valueMask);

  /**
   * Creates the weights for queries {@code Hq} and values {@code Hv} wide, by shape alone (what the
   * first {@link #call} would build), so a model can be counted by a shape-only build.
   *
   * @param queryDim Hq
   * @param valueDim Hv
   */
  void build(int queryDim, int valueDim);

  /**
   * Checks the shapes {@link #call} takes, naming {@code who}; {@code queryDim} is the query width the
   * layer needs, or -1 for any. Returns whether the query is one step ({@code [N, Hq]}).
   */
  static boolean checkShapes(Object who, Tensor query, Tensor values, int queryDim) {
    if (values.rank() != 3)
      throw new IllegalArgumentException(who + ": expected values [N, T, Hv], got " + Shape.str(values.shape()));
    boolean oneStep = query.rank() == 2;
    String hq = queryDim < 0 ? "Hq" : String.valueOf(queryDim);
    if ((!oneStep && query.rank() != 3) || query.shape(0) != values.shape(0) || (queryDim >= 0 && query.shape(-1) != queryDim))
      throw new IllegalArgumentException(who + ": expected query [N, " + hq + "] or [N, Tq, " + hq + "] with N = " + values.shape(0)
          + " as values " + Shape.str(values.shape()) + ", got " + Shape.str(query.shape()));
    return oneStep;
  }

  /** Weights {@code softmax(scores)} over the unmasked steps ({@code scores [N, Tq, T]}), and the context they give. */
  static Result attend(Tensor scores, Tensor values, Tensor valueMask, boolean oneStep) {
    Tensor weights = Attention.maskedSoftmax(scores, valueMask);        // [N, Tq, T]
    Tensor context = weights.matmul(values);                            // [N, Tq, Hv]
    int n = values.shape(0), t = values.shape(1);
    if (oneStep) return new Result(context.reshape(n, values.shape(2)), weights.reshape(n, t));
    return new Result(context, weights);
  }
}
