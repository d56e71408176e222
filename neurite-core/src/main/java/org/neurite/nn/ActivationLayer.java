package org.neurite.nn;

import org.neurite.tensor.Tensor;

/**
 * An activation as a layer of its own (Keras' {@code Activation("relu")}, PyTorch's {@code nn.ReLU()}).
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class ActivationLayer extends Layer {
  /** Everything needed to rebuild this layer. */
  public record Config(Activation activation) {}

  public ActivationLayer(Activation a) {
    this.activation = a;
  }

  public static ActivationLayer of(Config c) {
    return new ActivationLayer(c.activation());
  }

  public Config config() {
    return new Config(activation);
  }

  @Override
  protected Tensor compute(Tensor x) {
    return x;
  }

  @Override
  public String toString() {
    return "Activation(" + activation.kerasName() + ")";
  }
}
