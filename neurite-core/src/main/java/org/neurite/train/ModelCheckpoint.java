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
 *
 * <p>Not thread-safe: it keeps state across epochs, and {@code fit} calls it on the training thread only.
 */
public final class ModelCheckpoint implements Callback {
  private final Path dir;
  private final String monitor;
  private final boolean lowerIsBetter;
  private final Map<String, Object> metadata;
  private double best = Double.NaN;
  private boolean lastOnly;

  /**
   * Monitors "val_loss" if present, else "loss" (lower is better).
   *
   * @param dir the checkpoint folder, holding {@code last} and {@code best}
   */
  public ModelCheckpoint(Path dir) {
    this(dir, null, true, Map.of());
  }

  /**
   * {@code monitor} null picks "val_loss" or "loss"; metadata is saved with each checkpoint's model.
   *
   * @param dir the checkpoint folder, holding {@code last} and {@code best}
   * @param monitor the log key to watch, or {@code null}
   * @param lowerIsBetter whether a lower value is an improvement
   * @param metadata entries saved with each checkpoint's model
   */
  public ModelCheckpoint(Path dir, String monitor, boolean lowerIsBetter, Map<String, Object> metadata) {
    this.dir = dir;
    this.monitor = monitor;
    this.lowerIsBetter = lowerIsBetter;
    this.metadata = Map.copyOf(metadata);
  }

  /**
   * Saves only {@code DIR/last} (what {@link Fit#resume} uses).
   *
   * @return this
   */
  public ModelCheckpoint lastOnly() {
    lastOnly = true;
    return this;
  }

  /** On a resumed run, "best" keeps its value from the checkpoint, so a worse epoch does not replace it. */
  @Override
  public void onTrainBegin(Trainer trainer) {
    best = Double.NaN;
    try {
      Object v = Checkpoints.info(dir.resolve("best")).get("monitor_value");
      if (v instanceof Number n) best = n.doubleValue();
    } catch (IOException e) {
      // no best checkpoint yet
    }
  }

  @Override
  public Map<String, Double> state() {
    return Map.of("best", best);
  }

  @Override
  public void restore(Map<String, Double> state) {
    best = state.getOrDefault("best", best);
  }

  @Override
  public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
    if (!(trainer.model() instanceof Sequential model))
      throw new IllegalStateException("ModelCheckpoint: only Sequential models can be saved as config.json + safetensors");
    try {
      boolean improved = false;
      String key = null;
      Double v = null;
      if (!lastOnly) {
        key = monitor != null ? monitor : logs.containsKey("val_loss") ? "val_loss" : "loss";
        v = logs.get(key);
        if (v == null) throw new IllegalStateException("ModelCheckpoint: \"" + key + "\" is not in the logs " + logs.keySet());
        improved = Double.isNaN(best) || (lowerIsBetter ? v < best : v > best);
        if (improved) best = v;
      }
      var states = Callbacks.states(trainer.callbacks());   // after this epoch's best: a resume compares with it
      Checkpoints.save(dir.resolve("last"), model, trainer.optimizer(), epoch + 1, metadata, states);
      if (improved) {
        Map<String, Object> m = new java.util.LinkedHashMap<>(metadata);
        m.put("monitor", key);
        m.put("monitor_value", v);
        Checkpoints.save(dir.resolve("best"), model, trainer.optimizer(), epoch + 1, m, states);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("checkpoint " + dir + ": " + e.getMessage(), e);
    }
  }
}
