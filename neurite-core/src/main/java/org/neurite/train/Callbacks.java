package org.neurite.train;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.neurite.io.Checkpoints;
import org.neurite.optim.ReduceLROnPlateau;
import org.neurite.optim.Schedule;

/**
 * Short factories for the built-in callbacks, for {@code Fit.callbacks(...)}. Every other option is
 * on the classes themselves ({@link EarlyStopping}, {@link LearningRateScheduler},
 * {@link ReduceLROnPlateauCallback}, {@link CsvLogger}).
 *
 * <pre>{@code
 * Fit.epochs(50).callbacks(
 *     Callbacks.earlyStopping("val_loss", 5, true),
 *     Callbacks.learningRateScheduler(Schedule.cosine(50, 0)),
 *     Callbacks.csvLogger(Path.of("out/log.csv")))
 * }</pre>
 *
 * <p>Thread-safe: static factories; each call returns a new callback, which is not thread-safe.
 */
public final class Callbacks {
  private Callbacks() {}

  /**
   * Stops after {@code patience} epochs without improvement of {@code monitor}.
   *
   * @param monitor the log key to watch, such as {@code "val_loss"}
   * @param patience epochs without improvement before stopping
   * @return the callback, to pass to {@link Fit#callbacks}
   */
  public static EarlyStopping earlyStopping(String monitor, int patience) {
    return new EarlyStopping(monitor).patience(patience);
  }

  /**
   * As above; on stopping, puts back the weights of the best epoch when {@code restoreBestWeights}.
   *
   * @param monitor the log key to watch
   * @param patience epochs without improvement before stopping
   * @param restoreBestWeights whether to put back the best epoch's weights
   * @return the callback, to pass to {@link Fit#callbacks}
   */
  public static EarlyStopping earlyStopping(String monitor, int patience, boolean restoreBestWeights) {
    return earlyStopping(monitor, patience).restoreBestWeights(restoreBestWeights);
  }

  /**
   * Sets the learning rate from {@code schedule} at the start of every epoch.
   *
   * @param schedule the rate of each epoch
   * @return the callback, to pass to {@link Fit#callbacks}
   */
  public static LearningRateScheduler learningRateScheduler(Schedule schedule) {
    return new LearningRateScheduler(schedule);
  }

  /**
   * Multiplies the learning rate by {@code factor} after more than {@code patience} epochs without
   * improvement of {@code monitor} (minimised).
   *
   * @param monitor the log key to watch
   * @param factor the multiplier, in (0, 1)
   * @param patience epochs without improvement tolerated
   * @return the callback, to pass to {@link Fit#callbacks}
   */
  public static ReduceLROnPlateauCallback reduceLrOnPlateau(String monitor, double factor, int patience) {
    return reduceLrOnPlateau(new ReduceLROnPlateau(monitor).factor(factor).patience(patience));
  }

  /**
   * Applies a configured {@link ReduceLROnPlateau} during {@code fit}.
   *
   * @param rule the configured rule
   * @return the callback, to pass to {@link Fit#callbacks}
   */
  public static ReduceLROnPlateauCallback reduceLrOnPlateau(ReduceLROnPlateau rule) {
    return new ReduceLROnPlateauCallback(rule);
  }

  /**
   * One CSV row per epoch in {@code file}.
   *
   * @param file the CSV file
   * @return the callback, to pass to {@link Fit#callbacks}
   */
  public static CsvLogger csvLogger(Path file) {
    return new CsvLogger(file);
  }

  /** The value of {@code key} in an epoch's logs; a missing key is an error listing the keys there are. */
  static double monitored(String who, String key, Map<String, Double> logs) {
    Double v = logs.get(key);
    if (v == null)
      throw new IllegalStateException(who + ": monitor \"" + key + "\" is not in the epoch's logs " + logs.keySet()
          + (key.startsWith("val_") ? "; pass validation data to fit (Fit.validationSplit or validationData)" : ""));
    return v;
  }

  /** The states of {@code callbacks} that have one, in order, for {@code Checkpoints.save}. */
  public static List<Checkpoints.CallbackState> states(List<? extends Callback> callbacks) {
    List<Checkpoints.CallbackState> out = new ArrayList<>();
    for (var c : callbacks) {
      Map<String, Double> state = c.state();
      if (!state.isEmpty()) out.add(new Checkpoints.CallbackState(c.getClass().getSimpleName(), state));
    }
    return out;
  }

  /**
   * Hands each saved state to the callback of the same class at the same position among those of its
   * class (the first EarlyStopping's state to the first EarlyStopping, ...); callbacks not in the
   * checkpoint keep their state.
   */
  public static void restoreStates(List<Checkpoints.CallbackState> saved, List<? extends Callback> callbacks) {
    Map<String, ArrayDeque<Map<String, Double>>> byClass = new HashMap<>();
    for (Checkpoints.CallbackState s : saved) byClass.computeIfAbsent(s.name(), k -> new ArrayDeque<>()).add(s.state());
    for (var c : callbacks) {
      var states = byClass.get(c.getClass().getSimpleName());
      if (states != null && !states.isEmpty()) c.restore(states.poll());
    }
  }
}
