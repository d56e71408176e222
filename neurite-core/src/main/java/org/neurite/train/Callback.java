package org.neurite.train;

import java.util.Map;

/**
 * Hooks into {@code fit} (Keras' callbacks). {@code logs} maps "loss", metric names, "val_loss",
 * "val_" metric names and "lr" to the epoch's values. A callback stops training by calling
 * {@link Trainer#stop()}.
 */
public interface Callback {
  default void onTrainBegin(Trainer trainer) {}

  default void onEpochBegin(Trainer trainer, int epoch) {}

  /** Before each training step; {@code batch} counts from 0 within the epoch's {@code batches}. */
  default void onBatchBegin(Trainer trainer, int epoch, int batch, int batches) {}

  default void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {}

  default void onTrainEnd(Trainer trainer) {}
}
