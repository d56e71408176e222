package org.neurite.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code fit} returns: each epoch's logs, in order (Keras' History).
 *
 * <p>Not thread-safe: {@code fit} appends to it as epochs end; read it once {@code fit} has returned.
 */
public final class History {
  private final List<Map<String, Double>> epochs = new ArrayList<>();

  /** An empty history; {@code fit} fills it. */
  public History() {}

  void add(Map<String, Double> logs) {
    epochs.add(new LinkedHashMap<>(logs));
  }

  /**
   * Logs of every epoch run, oldest first.
   *
   * @return the logs, one map per epoch
   */
  public List<Map<String, Double>> epochs() {
    return List.copyOf(epochs);
  }

  /**
   * The series of one key ("loss", "val_accuracy", ...) over the epochs.
   *
   * @param key the log key
   * @return one value per epoch (NaN where an epoch lacks the key)
   */
  public double[] get(String key) {
    return epochs.stream().mapToDouble(m -> m.getOrDefault(key, Double.NaN)).toArray();
  }

  /** {@return the last epoch's logs, or an empty map before any} */
  public Map<String, Double> last() {
    return epochs.isEmpty() ? Map.of() : epochs.get(epochs.size() - 1);
  }
}
