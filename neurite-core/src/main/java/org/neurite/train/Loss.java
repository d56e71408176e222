package org.neurite.train;

import org.neurite.tensor.Tensor;

/**
 * A training objective: a scalar from a batch of model outputs and targets.
 *
 * <p>Implementations should be stateless and thread-safe, as the built-in ones ({@link Losses}) are.
 */
public interface Loss extends org.neurite.nn.Training.Loss {
  /**
   * The mean loss over the batch, differentiable with respect to {@code output}. With
   * {@code sampleWeights} ({@code [N]}, e.g. from class weights) each sample's loss is scaled before
   * the mean, as Keras does.
   *
   * @param output the model outputs {@code [N, ...]}
   * @param target the targets
   * @param sampleWeights per-sample weights {@code [N]}, or {@code null}
   * @return the scalar loss
   */
  Tensor compute(Tensor output, Tensor target, Tensor sampleWeights);

  /**
   * The mean loss over the batch, unweighted.
   *
   * @param output the model outputs {@code [N, ...]}
   * @param target the targets
   * @return the scalar loss
   */
  default Tensor compute(Tensor output, Tensor target) {
    return compute(output, target, null);
  }

  /**
   * Keras' name, used in logs and config.json.
   *
   * @return the name
   */
  String name();
}
