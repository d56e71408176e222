package org.neurite.train;

import java.nio.file.Path;
import java.util.Map;
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

  /** Stops after {@code patience} epochs without improvement of {@code monitor}. */
  public static EarlyStopping earlyStopping(String monitor, int patience) {
    return new EarlyStopping(monitor).patience(patience);
  }

  /** As above; on stopping, puts back the weights of the best epoch when {@code restoreBestWeights}. */
  public static EarlyStopping earlyStopping(String monitor, int patience, boolean restoreBestWeights) {
    return earlyStopping(monitor, patience).restoreBestWeights(restoreBestWeights);
  }

  /** Sets the learning rate from {@code schedule} at the start of every epoch. */
  public static LearningRateScheduler learningRateScheduler(Schedule schedule) {
    return new LearningRateScheduler(schedule);
  }

  /** Multiplies the learning rate by {@code factor} after more than {@code patience} epochs without improvement of {@code monitor} (minimised). */
  public static ReduceLROnPlateauCallback reduceLrOnPlateau(String monitor, double factor, int patience) {
    return reduceLrOnPlateau(new ReduceLROnPlateau(monitor).factor(factor).patience(patience));
  }

  public static ReduceLROnPlateauCallback reduceLrOnPlateau(ReduceLROnPlateau rule) {
    return new ReduceLROnPlateauCallback(rule);
  }

  /** One CSV row per epoch in {@code file}. */
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
}
