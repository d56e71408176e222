package org.neurite.train;

import java.util.Map;

/**
 * Hooks into {@code fit} (Keras' callbacks). {@code logs} maps "loss", metric names, "val_loss",
 * "val_" metric names and "lr" to the epoch's values. A callback stops training by calling
 * {@link Trainer#stop()}.
 *
 * <p>{@code fit} calls a callback from the training thread, one hook at a time; implementations need not be
 * thread-safe.
 */
public interface Callback {
  /**
   * Called once before the first epoch.
   *
   * @param trainer the trainer running {@code fit}
   */
  default void onTrainBegin(Trainer trainer) {}

  /**
   * Called before each epoch.
   *
   * @param trainer the trainer running {@code fit}
   * @param epoch the epoch, 0-based
   */
  default void onEpochBegin(Trainer trainer, int epoch) {}

  /**
   * Called after each epoch, validation included.
   *
   * @param trainer the trainer running {@code fit}
   * @param epoch the epoch, 0-based
   * @param logs the epoch's values by log key
   */
  default void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {}

  /**
   * Called once after the last epoch, or after training stopped.
   *
   * @param trainer the trainer running {@code fit}
   */
  default void onTrainEnd(Trainer trainer) {}
}
