package org.neurite.optim;

import java.util.List;
import java.util.Map;
import org.neurite.tensor.Tensor;

/**
 * Updates parameters in place from their accumulated gradients. Parameters without a gradient (not
 * reached by the last backward) are left alone, as in PyTorch.
 *
 * <p>Two ways to bind parameters: PyTorch's, passing them to the constructor, or Keras', creating the
 * optimizer alone and letting {@code compile}/{@code fit} {@link #attach} the model's parameters.
 * Per-parameter state (moments) is allocated at the first step.
 */
public abstract class Optimizer {
  private List<Tensor> params;
  protected float learningRate;

  protected Optimizer(float learningRate) {
    checkRate(getClass().getSimpleName(), learningRate);
    this.learningRate = learningRate;
  }

  /** Binds the parameters to update; once bound, binding other ones is an error. */
  public Optimizer attach(List<Tensor> parameters) {
    for (Tensor p : parameters)
      if (!p.isDense() || !p.isLeaf())
        throw new IllegalArgumentException(getClass().getSimpleName() + ": parameters must be dense leaf tensors, got " + p);
    if (params != null && !params.equals(parameters))
      throw new IllegalStateException(getClass().getSimpleName() + ": already attached to other parameters");
    params = List.copyOf(parameters);
    return this;
  }

  protected final List<Tensor> params() {
    if (params == null)
      throw new IllegalStateException(getClass().getSimpleName() + ": no parameters; pass them to the constructor, attach "
          + "them, or compile a model with this optimizer");
    return params;
  }

  /** Applies one update from the current gradients. */
  public abstract void step();

  /** Clears every parameter's gradient. */
  public void zeroGrad() {
    for (Tensor p : params()) p.zeroGrad();
  }

  public float learningRate() {
    return learningRate;
  }

  /** Sets the learning rate (schedules call this between steps). */
  public void setLearningRate(float lr) {
    checkRate(getClass().getSimpleName(), lr);
    learningRate = lr;
  }

  /** The optimizer's state (moments, step count) by name, for checkpoints. */
  public abstract Map<String, Tensor> state();

  /** Restores what {@link #state()} returned. */
  public abstract void loadState(Map<String, Tensor> state);

  static void checkRate(String who, float lr) {
    if (!(lr > 0) || !Float.isFinite(lr)) throw new IllegalArgumentException(who + ": learningRate (" + lr + ") must be > 0");
  }
}
