package org.neurite.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.neurite.io.Checkpoints;
import org.neurite.io.ModelFiles;
import org.neurite.nn.Sequential;

/**
 * Makes a run resumable (Keras' BackupAndRestore; {@link Fit#resume} adds one). After every epoch it saves
 * {@code DIR/last} atomically: weights, optimizer state, learning rate, next epoch, seed and the other
 * callbacks' states. When {@code DIR/last} exists as {@code fit} starts, it puts all of that back before
 * the first epoch, so a run killed at any point and started again ends with the weights of one never
 * interrupted (batch order and augmentation derive from (seed, epoch, batch) and need no saved state).
 *
 * <p>Not thread-safe: {@code fit} calls it on the training thread only.
 */
public final class BackupAndRestore implements Callback {
  private final Path dir;
  private final Map<String, Object> metadata;
  private ModelCheckpoint last;

  /**
   * A backup in {@code dir/last}.
   *
   * @param dir the checkpoint directory
   */
  public BackupAndRestore(Path dir) {
    this(dir, Map.of());
  }

  /**
   * A backup in {@code dir/last} that also saves {@code metadata} (as {@link ModelCheckpoint} does), so a
   * {@code ModelCheckpoint} writing to the same directory keeps its metadata there.
   *
   * @param dir the checkpoint directory
   * @param metadata entries saved with each backup's model
   */
  public BackupAndRestore(Path dir, Map<String, Object> metadata) {
    if (dir == null) throw new IllegalArgumentException("fit: resume directory is null");
    this.dir = dir;
    this.metadata = Map.copyOf(metadata);
  }

  /** Restores {@code dir/last} when there is one: the trainer then starts at its next epoch. */
  @Override
  public void onTrainBegin(Trainer trainer) {
    Fit fit = trainer.running();
    if (!(trainer.model() instanceof Sequential seq))
      throw new IllegalStateException("fit: resume needs a Sequential model (checkpoints are config.json + safetensors)");
    Map<String, Object> meta = new java.util.LinkedHashMap<>(metadata);
    meta.put("seed", fit.seed);
    last = new ModelCheckpoint(dir, null, true, meta).lastOnly();
    Path at = dir.resolve("last");
    try {
      ModelFiles.recover(at);   // a save killed between its two renames
      if (!Files.isDirectory(at)) return;
      Checkpoints.Resume r = Checkpoints.restore(at, seq, trainer.optimizer());
      Object seed = r.info().get("seed");
      if (seed != null && ((Number) seed).longValue() != fit.seed)
        throw new IllegalStateException("fit: " + at + " was trained with seed " + seed + ", resuming with seed " + fit.seed
            + "; pass Fit.seed(" + seed + ") so the remaining epochs see the same batches");
      if (fit.verbose) trainer.out().println("Resuming from " + at + " at epoch " + (r.nextEpoch() + 1) + "/" + fit.epochs);
      trainer.resumeAt(r.nextEpoch(), r.callbacks());
    } catch (IOException e) {
      throw new UncheckedIOException("fit: cannot resume from " + at + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
    last.onEpochEnd(trainer, epoch, logs);
  }
}
