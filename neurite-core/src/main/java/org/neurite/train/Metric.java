package org.neurite.train;

import org.neurite.tensor.Tensor;

/**
 * A quantity accumulated over the batches of an epoch (accuracy, top-k accuracy).
 *
 * <p>Not thread-safe: a metric accumulates over an epoch; use one instance per run and thread.
 */
public interface Metric extends org.neurite.nn.Training.Metric {
  /** {@return the log key, such as {@code "accuracy"}} */
  String name();

  /**
   * Adds one batch of outputs and targets.
   *
   * @param output the model outputs
   * @param target the targets
   */
  void update(Tensor output, Tensor target);

  /**
   * The value over everything added since the last reset.
   *
   * @return the value
   */
  double result();

  /** Forgets everything added, for the next epoch. */
  void reset();
}
