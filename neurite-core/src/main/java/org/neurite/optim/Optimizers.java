package org.neurite.optim;

/**
 * Short factories for {@code compile}: {@code Optimizers.adam(1e-3)}. Other hyperparameters: the
 * constructors.
 *
 * <p>Thread-safe: static factories; each call returns a new optimizer, which is not thread-safe.
 */
public final class Optimizers {
  private Optimizers() {}

  /**
   * Adam with PyTorch's defaults (betas 0.9 and 0.999, eps 1e-8).
   *
   * @param learningRate the learning rate
   * @return a new optimizer
   */
  public static Adam adam(double learningRate) {
    return new Adam((float) learningRate);
  }

  /**
   * AdamW with decoupled weight decay (PyTorch's default 0.01 is {@code new AdamW(lr)}).
   *
   * @param learningRate the learning rate
   * @param weightDecay the decoupled weight decay
   * @return a new optimizer
   */
  public static AdamW adamw(double learningRate, double weightDecay) {
    return new AdamW((float) learningRate, (float) weightDecay);
  }

  /**
   * Plain SGD, no momentum.
   *
   * @param learningRate the learning rate
   * @return a new optimizer
   */
  public static SGD sgd(double learningRate) {
    return new SGD((float) learningRate);
  }

  /**
   * SGD with momentum.
   *
   * @param learningRate the learning rate
   * @param momentum the momentum factor
   * @param nesterov whether to use Nesterov momentum
   * @return a new optimizer
   */
  public static SGD sgd(double learningRate, double momentum, boolean nesterov) {
    return new SGD((float) learningRate, (float) momentum, nesterov);
  }

  /**
   * RMSprop with PyTorch's defaults (alpha 0.99, eps 1e-8).
   *
   * @param learningRate the learning rate
   * @return a new optimizer
   */
  public static RMSprop rmsprop(double learningRate) {
    return new RMSprop((float) learningRate);
  }

  /**
   * The optimizer Keras' {@code compile(optimizer="adam")} names, with Keras' default learning rates:
   * adam, adamw and rmsprop 0.001, sgd 0.01.
   *
   * @param name {@code adam}, {@code adamw}, {@code sgd} or {@code rmsprop}
   * @return a new optimizer
   * @throws IllegalArgumentException if the name is unknown
   */
  public static Optimizer byName(String name) {
    return switch (name.toLowerCase(java.util.Locale.ROOT)) {
      case "adam" -> adam(1e-3);
      case "adamw" -> new AdamW(1e-3f);
      case "rmsprop" -> rmsprop(1e-3);
      case "sgd" -> sgd(1e-2);
      default -> throw new IllegalArgumentException("unknown optimizer \"" + name + "\"; known: adam, adamw, rmsprop, sgd");
    };
  }
}
