package org.neurite.nn;

import java.util.Map;
import java.util.ServiceLoader;
import org.neurite.optim.Optimizer;
import org.neurite.tensor.Tensor;

/**
 * A compiled model's training, as {@link Module}'s Keras-style {@code compile}/{@code fit}/{@code evaluate}
 * see it. The training loop lives in {@code org.neurite.train}, which builds on nn; nn names only these
 * interfaces, which the train package implements ({@code Trainer}, {@code Loss}, {@code Metric},
 * {@code Dataset}, {@code Fit}) and provides as a service ({@link Factory}), so no import points from nn up
 * into train.
 *
 * <p>Implementations say their own thread-safety; {@code Trainer} runs one fit or evaluate at a time.
 */
public interface Training {
  /** A training objective ({@code train.Loss}). */
  interface Loss {}

  /** A metric logged each epoch ({@code train.Metric}). */
  interface Metric {}

  /** Samples and targets ({@code train.Dataset}). */
  interface Data {}

  /**
   * The options of a {@code fit} ({@code train.Fit}), whose run returns an {@code R} ({@code train.History}).
   *
   * @param <R> what a fit with these options returns
   */
  interface Options<R> {}

  /** Compiles models: {@code train.Trainer.Provider}, found with {@link ServiceLoader}. */
  interface Factory {
    /**
     * Compiles {@code model} with these objects.
     *
     * @param model the model
     * @param optimizer its optimizer
     * @param loss the training objective
     * @param metrics the metrics to log
     * @return the model's training
     */
    Training compile(Module model, Optimizer optimizer, Loss loss, Metric... metrics);

    /**
     * Compiles {@code model} with Keras' names and default hyperparameters.
     *
     * @param model the model
     * @param optimizer an optimizer name, such as "adam"
     * @param loss a loss name, such as "sparse_categorical_crossentropy"
     * @param metrics metric names, such as "accuracy"
     * @return the model's training
     */
    Training compile(Module model, String optimizer, String loss, String... metrics);

    /** {@return the provider on the class path} */
    static Factory get() {
      return ServiceLoader.load(Factory.class, Factory.class.getClassLoader()).findFirst().orElseThrow(() ->
          new IllegalStateException("compile: no training provider (org.neurite.train) on the class path"));
    }
  }

  /**
   * Trains on {@code data}.
   *
   * @param <R> what the options make a fit return
   * @param data the training set
   * @param options epochs, batch size, validation, callbacks...
   * @return each epoch's logs
   */
  <R> R fit(Data data, Options<R> options);

  /**
   * Loss and metrics on {@code data}, in evaluation mode.
   *
   * @param data the dataset
   * @param batchSize samples per batch
   * @return "loss" and each metric, by name
   */
  Map<String, Double> evaluate(Data data, int batchSize);

  /**
   * Inputs {@code [N, ...]} and targets {@code [N, ...]} as a dataset.
   *
   * @param x the inputs
   * @param y the targets
   * @return the dataset
   */
  Data data(Tensor x, Tensor y);
}
