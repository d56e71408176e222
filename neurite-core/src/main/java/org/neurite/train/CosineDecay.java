package org.neurite.train;

/**
 * Sets the optimizer's learning rate before every step: a linear warm-up from 0 to the base rate over
 * the first {@code warmup} fraction of all steps, then a cosine decay to 0 at the last step of the
 * last epoch. Keras' {@code CosineDecay(0, decay_steps, warmup_target=lr, warmup_steps)}; in PyTorch,
 * {@code OneCycleLR(max_lr, total_steps, pct_start=warmup, anneal_strategy="cos")} with a start and end
 * near 0 (Loshchilov and Hutter, 2017, "SGDR"; Goyal et al., 2017, warm-up). The base rate is the
 * optimizer's rate when this callback first sees it, so a resumed run ({@code Fit.initialEpoch})
 * continues the same curve. Not a {@code optim.Schedule}: those are per epoch.
 *
 * <pre>{@code model.fit(train, Fit.epochs(3).callbacks(new CosineDecay(3, 0.05)));}</pre>
 */
public final class CosineDecay extends BaseRateSchedule {
  private final int epochs;
  private final double warmup;

  /** Decays over {@code epochs} epochs (the run's {@code Fit.epochs}), warming up over {@code warmup} (in [0, 1)) of them. */
  public CosineDecay(int epochs, double warmup) {
    this(epochs, warmup, Double.NaN);
  }

  /**
   * As above, peaking at {@code baseLr} instead of the optimizer's rate: for a run resumed from a
   * checkpoint, whose optimizer comes back with the decayed rate of its last step.
   */
  public CosineDecay(int epochs, double warmup, double baseLr) {
    super(baseLr);
    if (!(baseLr > 0) && !Double.isNaN(baseLr)) throw new IllegalArgumentException("CosineDecay: baseLr (" + baseLr + ") must be > 0");
    if (epochs < 1) throw new IllegalArgumentException("CosineDecay: epochs (" + epochs + ") must be >= 1");
    if (!(warmup >= 0 && warmup < 1)) throw new IllegalArgumentException("CosineDecay: warmup (" + warmup + ") must be in [0, 1)");
    this.epochs = epochs;
    this.warmup = warmup;
  }

  /** The rate of step {@code step} (0-based) of {@code total}, for base rate {@code baseLr}. */
  public double lr(long step, long total, double baseLr) {
    long w = (long) Math.floor(warmup * total);
    if (step < w) return baseLr * (step + 1) / w;
    double t = Math.min(1.0, (double) (step - w) / Math.max(1, total - w));
    return baseLr * (1 + Math.cos(Math.PI * t)) / 2;
  }

  @Override
  public void onBatchBegin(Trainer trainer, int epoch, int batch, int batches) {
    trainer.optimizer().setLearningRate((float) lr((long) epoch * batches + batch, (long) epochs * batches, baseLr));
  }

  @Override
  public String toString() {
    return "CosineDecay(epochs=" + epochs + ", warmup=" + warmup + ")";
  }
}
