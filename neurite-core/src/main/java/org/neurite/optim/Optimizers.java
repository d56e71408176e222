package org.neurite.optim;

/** Short factories for {@code compile}: {@code Optimizers.adam(1e-3)}. */
public final class Optimizers {
  private Optimizers() {}

  public static Adam adam(double learningRate) {
    return new Adam((float) learningRate);
  }
}
