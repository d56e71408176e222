package org.neurite.train;

import java.util.Map;

/**
 * The base learning rate a schedule scales: the optimizer's rate when the schedule first sees it (or a
 * rate given up front), carried in checkpoints, so a resumed run continues the same curve instead of
 * scaling the restored, already decayed rate. Not thread-safe: {@code fit} calls it on its one thread.
 */
abstract class BaseRateSchedule implements Callback {
  double baseLr;

  BaseRateSchedule(double baseLr) {
    this.baseLr = baseLr;
  }

  @Override
  public void onTrainBegin(Trainer trainer) {
    if (Double.isNaN(baseLr)) baseLr = trainer.optimizer().learningRate();
  }

  @Override
  public Map<String, Double> state() {
    return Map.of("base_lr", baseLr);
  }

  @Override
  public void restore(Map<String, Double> state) {
    baseLr = state.getOrDefault("base_lr", baseLr);
  }
}
