package org.neurite.optim;

/**
 * A learning rate as a function of the epoch (0-based) and the base rate the optimizer started with.
 * {@code train.LearningRateScheduler} sets it at the start of each epoch. Each implementation is the
 * closed form of the PyTorch scheduler it names, so a PyTorch recipe gives the same rates epoch by
 * epoch. Not for per-batch schedules, nor for rules that depend on metrics ({@link ReduceLROnPlateau}).
 *
 * <pre>{@code Schedule s = Schedule.warmup(5, Schedule.cosine(45, 0));   // 50 epochs}</pre>
 *
 * <p>Implementations are pure functions of the epoch and the base rate; the built-in ones are immutable
 * records and thread-safe.
 */
@FunctionalInterface
public interface Schedule {
  /**
   * The learning rate of {@code epoch} (0-based) for an optimizer created with {@code baseLr}.
   *
   * @param epoch the epoch, 0-based
   * @param baseLr the optimizer's rate when scheduling began
   * @return the rate
   */
  double lr(int epoch, double baseLr);

  /**
   * {@code baseLr * gamma^(epoch / stepSize)} (integer division): PyTorch's StepLR.
   *
   * @param stepSize epochs between decays, {@code >= 1}
   * @param gamma the decay factor
   * @return the schedule
   */
  static Schedule step(int stepSize, double gamma) {
    return new Step(stepSize, gamma);
  }

  /**
   * {@code baseLr * gamma^epoch}: PyTorch's ExponentialLR.
   *
   * @param gamma the decay factor per epoch
   * @return the schedule
   */
  static Schedule exponential(double gamma) {
    return new Exponential(gamma);
  }

  /**
   * {@code etaMin + (baseLr - etaMin) * (1 + cos(pi * epoch / tMax)) / 2}: PyTorch's CosineAnnealingLR
   * (Loshchilov and Hutter, 2017, "SGDR", without restarts). Past {@code tMax} the cosine keeps going,
   * back up towards {@code baseLr}, as PyTorch's does.
   *
   * @param tMax epochs from the base rate down to {@code etaMin}, {@code >= 1}
   * @param etaMin the lowest rate, {@code >= 0}
   * @return the schedule
   */
  static Schedule cosine(int tMax, double etaMin) {
    return new Cosine(tMax, etaMin);
  }

  /**
   * {@code baseLr * (epoch + 1) / warmupEpochs} for the first {@code warmupEpochs} epochs, then
   * {@code after} counted from 0 again (Goyal et al., 2017, "Accurate, Large Minibatch SGD"). PyTorch:
   * {@code SequentialLR([LinearLR(start_factor=1/w, total_iters=w-1), after], milestones=[w])}.
   *
   * @param warmupEpochs the warm-up epochs, {@code >= 1}
   * @param after the schedule from then on, its epochs counted from the end of the warm-up
   * @return the schedule
   */
  static Schedule warmup(int warmupEpochs, Schedule after) {
    return new Warmup(warmupEpochs, after);
  }

  /**
   * PyTorch's StepLR; see {@link #step}.
   *
   * @param stepSize epochs between decays
   * @param gamma the decay factor
   */
  record Step(int stepSize, double gamma) implements Schedule {
    /**
     * Checks the arguments.
     *
     * @param stepSize epochs between decays, {@code >= 1}
     * @param gamma the decay factor
     */
    public Step {
      if (stepSize < 1) throw new IllegalArgumentException("Schedule.step: stepSize (" + stepSize + ") must be >= 1");
      checkGamma("Schedule.step", gamma);
    }

    @Override
    public double lr(int epoch, double baseLr) {
      return baseLr * Math.pow(gamma, epoch / stepSize);
    }
  }

  /**
   * PyTorch's ExponentialLR; see {@link #exponential}.
   *
   * @param gamma the decay factor per epoch
   */
  record Exponential(double gamma) implements Schedule {
    /**
     * Checks the argument.
     *
     * @param gamma the decay factor per epoch
     */
    public Exponential {
      checkGamma("Schedule.exponential", gamma);
    }

    @Override
    public double lr(int epoch, double baseLr) {
      return baseLr * Math.pow(gamma, epoch);
    }
  }

  /**
   * PyTorch's CosineAnnealingLR; see {@link #cosine}.
   *
   * @param tMax epochs from the base rate down to {@code etaMin}
   * @param etaMin the lowest rate
   */
  record Cosine(int tMax, double etaMin) implements Schedule {
    /**
     * Checks the arguments.
     *
     * @param tMax epochs from the base rate down to {@code etaMin}, {@code >= 1}
     * @param etaMin the lowest rate, {@code >= 0}
     */
    public Cosine {
      if (tMax < 1) throw new IllegalArgumentException("Schedule.cosine: tMax (" + tMax + ") must be >= 1");
      if (!(etaMin >= 0) || Double.isInfinite(etaMin))
        throw new IllegalArgumentException("Schedule.cosine: etaMin (" + etaMin + ") must be >= 0");
    }

    @Override
    public double lr(int epoch, double baseLr) {
      return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }
  }

  /**
   * A linear warm-up, then another schedule; see {@link #warmup}.
   *
   * @param warmupEpochs the warm-up epochs
   * @param after the schedule after the warm-up
   */
  record Warmup(int warmupEpochs, Schedule after) implements Schedule {
    /**
     * Checks the arguments.
     *
     * @param warmupEpochs the warm-up epochs, {@code >= 1}
     * @param after the schedule after the warm-up, not null
     */
    public Warmup {
      if (warmupEpochs < 1) throw new IllegalArgumentException("Schedule.warmup: warmupEpochs (" + warmupEpochs + ") must be >= 1");
      if (after == null) throw new IllegalArgumentException("Schedule.warmup: the schedule after warm-up is null; pass (epoch, lr) -> lr to keep the rate constant");
    }

    @Override
    public double lr(int epoch, double baseLr) {
      return epoch < warmupEpochs ? baseLr * (epoch + 1) / warmupEpochs : after.lr(epoch - warmupEpochs, baseLr);
    }
  }

  private static void checkGamma(String who, double gamma) {
    if (!(gamma > 0) || Double.isInfinite(gamma)) throw new IllegalArgumentException(who + ": gamma (" + gamma + ") must be > 0");
  }
}
