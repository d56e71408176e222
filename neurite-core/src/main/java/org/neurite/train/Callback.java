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
  default void onTrainBegin(Trainer trainer) {}

  default void onEpochBegin(Trainer trainer, int epoch) {}

  default void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {}

  default void onTrainEnd(Trainer trainer) {}
}
