package org.neurite.train;

import java.util.Map;

/**
 * Hooks into {@code fit} (Keras' callbacks). {@code logs} maps "loss", metric names, "val_loss",
 * "val_" metric names and "lr" to the epoch's values. A callback stops training by calling
 * {@link Trainer#stop()}. Resuming ({@link BackupAndRestore}), the heap check and the NaN diagnosis are
 * callbacks too, which {@code fit} adds from its {@link Fit} options.
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

  /** Before each training step; {@code batch} counts from 0 within the epoch's {@code batches}. */
  default void onBatchBegin(Trainer trainer, int epoch, int batch, int batches) {}

  /**
   * After a batch's forward, loss and backward (skipped for a non-finite loss), before the optimizer step
   * and the metrics; {@link Trainer#skipBatch()} drops the batch's update.
   *
   * @param trainer the trainer running {@code fit}
   * @param step the step: where it is, its batch and its loss
   */
  default void onBatchEnd(Trainer trainer, Step step) {}

  /**
   * A training step as {@link #onBatchEnd} sees it.
   *
   * @param epoch the epoch, 0-based
   * @param batch the batch, 0-based within the epoch
   * @param batches the epoch's batches
   * @param data the batch's inputs and targets
   * @param loss the batch's loss
   */
  record Step(int epoch, int batch, int batches, Dataset.Batch data, float loss) {}

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

  /**
   * What this callback must carry into a resumed run (a base learning rate, counters, a best value), by
   * name. Checkpoints save it after every epoch, once all callbacks have seen the epoch's end, and a
   * resumed {@code fit} hands it to {@link #restore} right after {@link #onTrainBegin}, so a run that was
   * killed and resumed continues exactly as the uninterrupted one. Empty for a stateless callback.
   */
  default Map<String, Double> state() {
    return Map.of();
  }

  /** Takes back what {@link #state} returned (values may be NaN or infinite). */
  default void restore(Map<String, Double> state) {}
}
