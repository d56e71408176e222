package org.neurite.train;

import java.util.Map;
import org.neurite.optim.ReduceLROnPlateau;

/**
 * Applies {@link ReduceLROnPlateau} during {@code fit}: after each epoch it feeds the monitored log
 * value and sets the optimizer's rate for the next epoch (Keras' ReduceLROnPlateau callback, with
 * PyTorch's counting). The epoch's own logs keep the rate it ran with.
 *
 * <p>Not thread-safe: it keeps state across epochs, and {@code fit} calls it on the training thread only.
 */
public final class ReduceLROnPlateauCallback implements Callback {
  private final ReduceLROnPlateau rule;

  /**
   * A callback applying {@code rule}.
   *
   * @param rule the configured rule
   * @throws IllegalArgumentException if {@code rule} is null
   */
  public ReduceLROnPlateauCallback(ReduceLROnPlateau rule) {
    if (rule == null) throw new IllegalArgumentException("ReduceLROnPlateauCallback: rule is null");
    this.rule = rule;
  }

  @Override
  public Map<String, Double> state() {
    return rule.state();
  }

  @Override
  public void restore(Map<String, Double> state) {
    rule.restore(state);
  }

  @Override
  public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
    double value = Callbacks.monitored("ReduceLROnPlateau", rule.monitor(), logs);
    float lr = trainer.optimizer().learningRate();
    double next = rule.step(value, lr);
    if (next != lr) trainer.optimizer().setLearningRate((float) next);
  }
}
