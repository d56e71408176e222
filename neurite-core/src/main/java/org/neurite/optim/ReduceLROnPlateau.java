package org.neurite.optim;

/**
 * Lowers the learning rate when a metric stops improving: PyTorch's ReduceLROnPlateau
 * (torch.optim.lr_scheduler docs). After each epoch, {@link #step} gets the monitored value; when it
 * has not improved on the best value for more than {@code patience} epochs in a row, the rate is
 * multiplied by {@code factor} (not below {@code minLr}), then {@code cooldown} epochs pass before bad
 * epochs count again. A reduction smaller than 1e-8 is skipped, as in PyTorch.
 *
 * <p>Improvement is absolute: below {@code best - minDelta} in min mode, above {@code best + minDelta}
 * in max mode. That is Keras' {@code min_delta} and PyTorch's {@code threshold_mode="abs"}; PyTorch's
 * default is relative, {@code best * (1 - threshold)}. Not a callback: {@code train.Callbacks} wraps
 * it for {@code fit}; a hand-written loop calls {@link #step} itself.
 *
 * <pre>{@code var plateau = new ReduceLROnPlateau("val_loss").factor(0.5).patience(3);}</pre>
 *
 * <p>Not thread-safe: it keeps the best value and the patience count, updated by {@link #step}.
 */
public final class ReduceLROnPlateau {
  /** Whether a lower (MIN, losses) or a higher (MAX, accuracies) value is better. */
  public enum Mode {
    /** Lower is better (losses). */
    MIN,
    /** Higher is better (accuracies). */
    MAX
  }

  private final String monitor;
  private Mode mode = Mode.MIN;
  private double factor = 0.1, minDelta = 1e-4, minLr;
  private int patience = 10, cooldown;
  private double best = Double.NaN;   // NaN until the first step, then +-infinity or the best value
  private int badEpochs, cooldownLeft;

  /**
   * PyTorch's defaults: mode min, factor 0.1, patience 10, minDelta 1e-4, cooldown 0, minLr 0.
   *
   * @param monitor the log key watched, such as {@code "val_loss"}
   * @throws IllegalArgumentException if it is null or empty
   */
  public ReduceLROnPlateau(String monitor) {
    if (monitor == null || monitor.isEmpty()) throw new IllegalArgumentException("ReduceLROnPlateau: monitor is empty; name a log key such as \"val_loss\"");
    this.monitor = monitor;
  }

  /**
   * Whether a lower or a higher value is better.
   *
   * @param m MIN or MAX
   * @return this
   */
  public ReduceLROnPlateau mode(Mode m) {
    mode = m;
    return this;
  }

  /**
   * Multiplier of the rate at each reduction, in (0, 1).
   *
   * @param f the multiplier
   * @return this
   */
  public ReduceLROnPlateau factor(double f) {
    if (!(f > 0 && f < 1)) throw new IllegalArgumentException("ReduceLROnPlateau: factor (" + f + ") must be in (0, 1)");
    factor = f;
    return this;
  }

  /**
   * Epochs without improvement tolerated before a reduction.
   *
   * @param epochs the epochs, {@code >= 0}
   * @return this
   */
  public ReduceLROnPlateau patience(int epochs) {
    if (epochs < 0) throw new IllegalArgumentException("ReduceLROnPlateau: patience (" + epochs + ") must be >= 0");
    patience = epochs;
    return this;
  }

  /**
   * Smallest change that counts as an improvement (absolute).
   *
   * @param d the change, {@code >= 0}
   * @return this
   */
  public ReduceLROnPlateau minDelta(double d) {
    if (!(d >= 0) || Double.isInfinite(d)) throw new IllegalArgumentException("ReduceLROnPlateau: minDelta (" + d + ") must be >= 0");
    minDelta = d;
    return this;
  }

  /**
   * Epochs after a reduction during which bad epochs are not counted.
   *
   * @param epochs the epochs, {@code >= 0}
   * @return this
   */
  public ReduceLROnPlateau cooldown(int epochs) {
    if (epochs < 0) throw new IllegalArgumentException("ReduceLROnPlateau: cooldown (" + epochs + ") must be >= 0");
    cooldown = epochs;
    return this;
  }

  /**
   * Floor of the learning rate.
   *
   * @param lr the floor, {@code >= 0}
   * @return this
   */
  public ReduceLROnPlateau minLr(double lr) {
    if (!(lr >= 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("ReduceLROnPlateau: minLr (" + lr + ") must be >= 0");
    minLr = lr;
    return this;
  }

  /**
   * The log key watched ("val_loss").
   *
   * @return the key
   */
  public String monitor() {
    return monitor;
  }

  /**
   * The best value seen so far (NaN before the first step).
   *
   * @return the value
   */
  public double best() {
    return best;
  }

  /** The counters a resumed run needs: the best value, the bad epochs and the cooldown left. */
  public java.util.Map<String, Double> state() {
    return java.util.Map.of("best", best, "bad_epochs", (double) badEpochs, "cooldown_left", (double) cooldownLeft);
  }

  /** Takes back what {@link #state} returned. */
  public void restore(java.util.Map<String, Double> state) {
    best = state.getOrDefault("best", best);
    badEpochs = state.getOrDefault("bad_epochs", (double) badEpochs).intValue();
    cooldownLeft = state.getOrDefault("cooldown_left", (double) cooldownLeft).intValue();
  }

  /**
  /**
   * Records one epoch's {@code value} and returns the learning rate to use from now on, given the current
   * {@code lr}.
   *
   * @param value the monitored value of the epoch just run
   * @param lr the current learning rate
   * @return the learning rate for the next epoch
   */
  public double step(double value, double lr) {
    if (Double.isNaN(best)) best = mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    if (mode == Mode.MIN ? value < best - minDelta : value > best + minDelta) {
      best = value;
      badEpochs = 0;
    } else {
      badEpochs++;
    }
    if (cooldownLeft > 0) {
      cooldownLeft--;
      badEpochs = 0;   // bad epochs in cooldown do not count
    }
    if (badEpochs > patience) {
      cooldownLeft = cooldown;
      badEpochs = 0;
      double reduced = Math.max(lr * factor, minLr);
      if (lr - reduced > 1e-8) return reduced;
    }
    return lr;
  }
}
