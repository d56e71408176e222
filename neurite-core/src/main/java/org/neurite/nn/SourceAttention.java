package org.neurite.nn;

import org.neurite.tensor.Tensor;

/**
 * Attention from a decoder's query over an encoder's values: Bahdanau's additive score or Luong's
 * multiplicative ones. One call, one shape contract, so a translation model can take either.
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
}
