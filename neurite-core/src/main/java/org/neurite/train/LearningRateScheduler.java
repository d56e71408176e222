package org.neurite.train;

import org.neurite.optim.Schedule;

/**
 * Sets the optimizer's learning rate from a {@link Schedule} at the start of every epoch: Keras'
 * LearningRateScheduler. The base rate is the optimizer's rate when this callback first sees it, so a
 * second {@code fit} (or a resumed one, with {@code Fit.initialEpoch}) continues the same curve
 * instead of decaying an already decayed rate. The epoch's rate appears in the logs as "lr".
 *
 * <p>Not thread-safe: it keeps state across epochs, and {@code fit} calls it on the training thread only.
 */
public final class LearningRateScheduler extends BaseRateSchedule {
  private final Schedule schedule;

  /**
   * A scheduler following {@code schedule}.
   *
   * @param schedule the rate of each epoch
   * @throws IllegalArgumentException if {@code schedule} is null
   */
  public LearningRateScheduler(Schedule schedule) {
    super(Double.NaN);
    if (schedule == null) throw new IllegalArgumentException("LearningRateScheduler: schedule is null");
    this.schedule = schedule;
  }

  @Override
  public void onEpochBegin(Trainer trainer, int epoch) {
    double lr = schedule.lr(epoch, baseLr);
    if (!(lr >= 0) || Double.isInfinite(lr))
      throw new IllegalStateException("LearningRateScheduler: " + schedule + " gave learningRate " + lr + " for epoch " + epoch
          + " (base " + baseLr + "); a rate must be >= 0");
    trainer.optimizer().setLearningRate((float) lr);
  }
}
