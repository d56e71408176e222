package org.neurite.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.neurite.io.Checkpoints;
import org.neurite.nn.Sequential;

/**
 * Saves a checkpoint at the end of each epoch: {@code DIR/last} always, and {@code DIR/best} when the
 * monitored value improves (Keras' ModelCheckpoint with save_best_only for "best"). Resume with
 * {@link Checkpoints#load} and {@link Fit#initialEpoch}.
 */
public final class ModelCheckpoint implements Callback {
  private final Path dir;
  private final String monitor;
  private final boolean lowerIsBetter;
  private final Map<String, Object> metadata;
  private double best = Double.NaN;

  /** Monitors "val_loss" if present, else "loss" (lower is better). */
  public ModelCheckpoint(Path dir) {
    this(dir, null, true, Map.of());
  }

  /** {@code monitor} null picks "val_loss" or "loss"; metadata is saved with each checkpoint's model. */
  public ModelCheckpoint(Path dir, String monitor, boolean lowerIsBetter, Map<String, Object> metadata) {
    this.dir = dir;
    this.monitor = monitor;
    this.lowerIsBetter = lowerIsBetter;
    this.metadata = Map.copyOf(metadata);
  }

  @Override
  public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
    if (!(trainer.model() instanceof Sequential model))
      throw new IllegalStateException("ModelCheckpoint: only Sequential models can be saved as config.json + safetensors");
    try {
      Checkpoints.save(dir.resolve("last"), model, trainer.optimizer(), epoch + 1, metadata);
      String key = monitor != null ? monitor : logs.containsKey("val_loss") ? "val_loss" : "loss";
      Double v = logs.get(key);
      if (v == null) throw new IllegalStateException("ModelCheckpoint: \"" + key + "\" is not in the logs " + logs.keySet());
      if (Double.isNaN(best) || (lowerIsBetter ? v < best : v > best)) {
        best = v;
        Checkpoints.save(dir.resolve("best"), model, trainer.optimizer(), epoch + 1, metadata);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("checkpoint " + dir + ": " + e.getMessage(), e);
    }
  }
}
