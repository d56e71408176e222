package org.neurite.train;

import org.neurite.tensor.Rng;

/**
 * Samples addressed by index, assembled into batches on demand. Random transforms (augmentation)
 * draw from the {@code rng} they are given, so a seeded run reproduces whatever thread assembles
 * the batch.
 *
 * <p>Implementations must allow concurrent {@code batch} calls: {@code fit} assembles batches on background
 * loader threads, and randomness must come only from the {@code rng} argument.
 */
public interface Dataset extends org.neurite.nn.Training.Data {
  /**
   * Number of samples.
   *
   * @return the sample count
   */
  int size();

  /**
   * The samples at {@code indices}, stacked along a new batch axis.
   *
   * @param indices the samples, in batch order
   * @param rng the only source of randomness for this batch's transforms
   * @return the inputs and targets, the batch axis first
   */
  Batch batch(int[] indices, Rng rng);

  /**
   * The first {@code k} samples and the rest, for a validation split; datasets that cannot split
   * say so, and the caller passes validation data instead.
   *
   * @param k the size of the first part
   * @return the first {@code k} samples and the rest
   * @throws UnsupportedOperationException if this dataset cannot be split (the default)
   */
  default Dataset[] split(int k) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot be split; pass validationData instead");
  }

  /**
   * A batch of inputs and targets.
   *
   * @param x the inputs {@code [N, ...]}
   * @param y the targets {@code [N, ...]}
   */
  record Batch(org.neurite.tensor.Tensor x, org.neurite.tensor.Tensor y) {}
}
