package org.neurite.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.neurite.tensor.Tensor;

/**
 * Stops {@code fit} when a monitored log value has stopped improving: Keras' EarlyStopping. After
 * each epoch the value counts as an improvement when it beats the best so far by more than
 * {@code minDelta}; after {@code patience} epochs in a row without one, training stops (never after
 * the first epoch). With {@code restoreBestWeights}, stopping also copies back the parameters and
 * buffers of the best epoch; as in Keras, a run that ends by using up its epochs keeps its last
 * weights. Not a checkpoint: nothing is written to disk.
 *
 * <pre>{@code Fit.epochs(100).callbacks(new EarlyStopping("val_loss").patience(5).restoreBestWeights(true))}</pre>
 *
 * <p>Not thread-safe: it keeps state across epochs, and {@code fit} calls it on the training thread only.
 */
public final class EarlyStopping implements Callback {
  /** Whether the monitored value should fall or rise. */
  public enum Mode {
    /** MAX when the monitor names an accuracy ("acc" in it), else MIN, as Keras does. */
    AUTO,
    /** Lower is better. */
    MIN,
    /** Higher is better. */
    MAX
  }

  private final String monitor;
  private Mode mode = Mode.AUTO;
  private double minDelta;
  private int patience;
  private boolean restoreBestWeights;
  private double best;
  private int wait, bestEpoch, stoppedEpoch;
  private Map<String, Tensor> bestWeights;

  /**
   * Keras' defaults: minDelta 0, patience 0, mode auto, no restoring.
   *
   * @param monitor the log key to watch, such as {@code "val_loss"}
   */
  public EarlyStopping(String monitor) {
    if (monitor == null || monitor.isEmpty()) throw new IllegalArgumentException("EarlyStopping: monitor is empty; name a log key such as \"val_loss\"");
    this.monitor = monitor;
  }

  /**
   * Whether the monitored value should fall or rise.
   *
   * @param m whether lower or higher values are better, or AUTO
   * @return this
   */
  public EarlyStopping mode(Mode m) {
    mode = m;
    return this;
  }

  /**
   * Smallest change that counts as an improvement (absolute).
   *
   * @param d the change, {@code >= 0}
   * @return this
   */
  public EarlyStopping minDelta(double d) {
    if (!(d >= 0) || Double.isInfinite(d)) throw new IllegalArgumentException("EarlyStopping: minDelta (" + d + ") must be >= 0");
    minDelta = d;
    return this;
  }

  /**
   * Epochs without improvement after which training stops.
   *
   * @param epochs the epochs, {@code >= 0}
   * @return this
   */
  public EarlyStopping patience(int epochs) {
    if (epochs < 0) throw new IllegalArgumentException("EarlyStopping: patience (" + epochs + ") must be >= 0");
    patience = epochs;
    return this;
  }

  /**
   * On stopping, copies back the model's state (parameters and buffers) from the best epoch.
   *
   * @param on whether to restore
   * @return this
   */
  public EarlyStopping restoreBestWeights(boolean on) {
    restoreBestWeights = on;
    return this;
  }

  /**
   * The epoch (0-based) with the best value, or -1 before any.
   *
   * @return the epoch, or -1
   */
  public int bestEpoch() {
    return bestEpoch;
  }

  /**
   * The epoch (0-based) after which training was stopped, or -1 if it was not.
   *
   * @return the epoch, or -1
   */
  public int stoppedEpoch() {
    return stoppedEpoch;
  }

  private boolean maximizes() {
    return mode == Mode.MAX || (mode == Mode.AUTO && monitor.contains("acc"));
  }

  @Override
  public void onTrainBegin(Trainer trainer) {
    best = maximizes() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    wait = 0;
    bestEpoch = stoppedEpoch = -1;
    bestWeights = null;
  }

  /** The best value, the epochs waited and the best epoch; the best weights are not carried over a resume. */
  @Override
  public Map<String, Double> state() {
    return Map.of("best", best, "wait", (double) wait, "best_epoch", (double) bestEpoch);
  }

  @Override
  public void restore(Map<String, Double> state) {
    best = state.getOrDefault("best", best);
    wait = state.getOrDefault("wait", (double) wait).intValue();
    bestEpoch = state.getOrDefault("best_epoch", (double) bestEpoch).intValue();
  }

  @Override
  public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
    double value = Callbacks.monitored("EarlyStopping", monitor, logs);
    wait++;
    if (maximizes() ? value - minDelta > best : value + minDelta < best) {
      best = value;
      bestEpoch = epoch;
      wait = 0;
      if (restoreBestWeights) bestWeights = copy(trainer.model().stateDict());
      return;
    }
    if (wait >= patience && epoch > 0) {
      stoppedEpoch = epoch;
      trainer.stop();
      if (bestWeights != null) trainer.model().loadStateDict(bestWeights);
    }
  }

  private static Map<String, Tensor> copy(Map<String, Tensor> state) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    state.forEach((k, t) -> out.put(k, Tensor.of(t.toArray(), t.shape())));
    return out;
  }
}
