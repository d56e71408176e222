package org.neurite.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Options of {@code fit}, with Keras' defaults: batch size 32, shuffling on, no validation.
 *
 * <pre>{@code model.fit(x, y, Fit.epochs(10).batchSize(64).validationSplit(0.1))}</pre>
 *
 * <p>Not thread-safe: a mutable builder; configure it on one thread, then hand it to {@code fit}.
 */
public final class Fit implements org.neurite.nn.Training.Options<History> {
  int epochs, batchSize = 32, initialEpoch;
  boolean shuffle = true, verbose = true;
  double validationSplit;
  Dataset validationData;
  float[] classWeights;
  long seed = 1;
  BackupAndRestore backup;
  boolean skipNonFinite, warmup;
  double explodingFactor = 100;
  final List<Callback> callbacks = new ArrayList<>();
  List<org.neurite.io.Checkpoints.CallbackState> callbackStates;

  private Fit(int epochs) {
    if (epochs < 1) throw new IllegalArgumentException("fit: epochs (" + epochs + ") must be >= 1");
    this.epochs = epochs;
  }

  /**
   * Options for {@code n} epochs, with the other defaults.
   *
   * @param n the number of epochs, {@code >= 1}
   * @return the options
   */
  public static Fit epochs(int n) {
    return new Fit(n);
  }

  /**
   * Samples per batch.
   *
   * @param n samples per batch, {@code >= 1} (default 32)
   * @return this
   */
  public Fit batchSize(int n) {
    if (n < 1) throw new IllegalArgumentException("fit: batchSize (" + n + ") must be >= 1");
    batchSize = n;
    return this;
  }

  /**
   * Whether each epoch visits the samples in a new seeded order.
   *
   * @param on whether to shuffle (default on)
   * @return this
   */
  public Fit shuffle(boolean on) {
    shuffle = on;
    return this;
  }

  /**
   * Holds out the last fraction of the samples (before shuffling) for validation, as Keras does.
   *
   * @param fraction the held-out fraction, in [0, 1)
   * @return this
   */
  public Fit validationSplit(double fraction) {
    if (!(fraction >= 0 && fraction < 1)) throw new IllegalArgumentException("fit: validationSplit (" + fraction + ") must be in [0, 1)");
    validationSplit = fraction;
    return this;
  }

  /**
   * Validates on {@code data} after each epoch.
   *
   * @param data the validation set
   * @return this
   */
  public Fit validationData(Dataset data) {
    validationData = data;
    return this;
  }

  /**
   * Scales each sample's loss by the weight of its class (index = class).
   *
   * @param weights one weight per class
   * @return this
   */
  public Fit classWeights(float... weights) {
    for (float w : weights) if (!(w >= 0)) throw new IllegalArgumentException("fit: class weights must be >= 0");
    classWeights = weights.clone();
    return this;
  }

  /**
   * Seed of the shuffling and augmentation order (model weights are seeded by {@code nn.Seeds}).
   *
   * @param s the seed
   * @return this
   */
  public Fit seed(long s) {
    seed = s;
    return this;
  }

  /**
   * Callbacks to run, in order, at each hook.
   *
   * @param cbs the callbacks, added to those already given
   * @return this
   */
  public Fit callbacks(Callback... cbs) {
    callbacks.addAll(List.of(cbs));
    return this;
  }

  /**
   * Progress output (a bar on a terminal, a line per epoch otherwise); off = silent.
   *
   * @param on whether to print progress
   * @return this
   */
  public Fit verbose(boolean on) {
    verbose = on;
    return this;
  }

  /**
   * Makes the run resumable (adds a {@link BackupAndRestore}): a checkpoint ({@code dir/last}: weights, optimizer state, learning rate,
   * next epoch, seed) is saved atomically after every epoch, and when {@code dir/last} already exists
   * as fit starts, training continues from it instead of from the model's current weights. A run
   * killed at any point and started again with the same arguments ends with the same weights as one
   * never interrupted (one thread, same seed; dropout layers draw a new mask sequence, see
   * docs/RELIABILITY.md).
   *
   * @param dir the checkpoint directory
   * @return this
   */
  public Fit resume(java.nio.file.Path dir) {
    backup = new BackupAndRestore(dir);
    return this;
  }

  /**
   * As {@link #resume(java.nio.file.Path)}, saving {@code metadata} with each checkpoint's model.
   *
   * @param dir the checkpoint directory
   * @param metadata entries for the checkpoint's config.json and training.json
   * @return this
   */
  public Fit resume(java.nio.file.Path dir, java.util.Map<String, Object> metadata) {
    backup = new BackupAndRestore(dir, metadata);
    return this;
  }

  /**
   * Before the first epoch, gets the convolution, pooling, GEMM and Adam kernels compiled when the input
   * batches are large images (8 MB or more), which keeps a large first step from growing the heap
   * ({@link Warmup}); once per process, a second or so. Off by default.
   *
   * @param on whether to warm the kernels up
   * @return this
   */
  public Fit warmup(boolean on) {
    warmup = on;
    return this;
  }

  /**
   * The callbacks a {@code fit} with these options runs, in order: the heap check, the kernel warm-up (when on),
   * the backup (with {@link #resume}), the NaN check, then those given to {@link #callbacks}.
   */
  List<Callback> allCallbacks() {
    List<Callback> all = new ArrayList<>();
    all.add(new HeapCheck());
    if (warmup) all.add(new Warmup());
    if (backup != null) all.add(backup);
    all.add(new TerminateOnNaN(skipNonFinite, explodingFactor));
    all.addAll(callbacks);
    return all;
  }

  /**
   * On a NaN or Inf loss or gradient, skip the batch (no update, reported, counted in the epoch's
   * logs as "skipped_batches") instead of stopping with an error naming the layer (the default).
   *
   * @param on whether to skip such batches
   * @return this
   */
  public Fit skipNonFinite(boolean on) {
    skipNonFinite = on;
    return this;
  }

  /**
   * A step whose gradient norm exceeds this many times the running median is reported as exploding (default
   * 100).
   *
   * @param factor the multiple of the running median
   * @return this
   */
  public Fit explodingFactor(double factor) {
    if (!(factor > 1)) throw new IllegalArgumentException("fit: explodingFactor (" + factor + ") must be > 1");
    explodingFactor = factor;
    return this;
  }

  /**
   * Epoch to start from (0-based), when resuming from a checkpoint.
   *
   * @param e the epoch, 0-based
   * @return this
   */
  public Fit initialEpoch(int e) {
    if (e < 0) throw new IllegalArgumentException("fit: initialEpoch (" + e + ") must be >= 0");
    initialEpoch = e;
    return this;
  }

  /**
   * Continues a run from a checkpoint the caller loaded itself ({@code Checkpoints.load}): starts at its
   * next epoch and gives the callbacks their saved state (schedules keep their base rate, early stopping
   * and plateau reduction their counters). {@link #resume} does the loading too.
   */
  public Fit resumedFrom(org.neurite.io.Checkpoints.Resume r) {
    initialEpoch(r.nextEpoch());
    callbackStates = r.callbacks();
    return this;
  }
}
