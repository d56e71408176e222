package org.neurite.nn;

import org.neurite.tensor.Tensor;

/** The activations a layer can apply to its output (Keras' {@code activation=} argument). Immutable. */
public enum Activation {
  LINEAR, RELU, RELU6, SIGMOID, TANH, GELU, SOFTPLUS, SOFTMAX, LOG_SOFTMAX;

  /** Applies this activation; softmax variants act on the last axis. */
  public Tensor apply(Tensor x) {
    return switch (this) {
      case LINEAR -> x;
      case RELU -> x.relu();
      case RELU6 -> x.clamp(0f, 6f);   // MobileNetV2's activation
      case SIGMOID -> x.sigmoid();
      case TANH -> x.tanh();
      case GELU -> x.gelu();
      case SOFTPLUS -> x.softplus();
      case SOFTMAX -> x.softmax(-1);
      case LOG_SOFTMAX -> x.logSoftmax(-1);
    };
  }

  /** Keras' name: "relu", "softmax", ... */
  public String kerasName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
