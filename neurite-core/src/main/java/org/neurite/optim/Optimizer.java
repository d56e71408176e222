package org.neurite.optim;

import java.util.List;
import org.neurite.tensor.Tensor;

/**
 * Updates parameters in place from their accumulated gradients. Parameters without a gradient (not
 * reached by the last backward) are left alone, as in PyTorch.
 */
public abstract class Optimizer {
  protected final List<Tensor> params;

  protected Optimizer(List<Tensor> params) {
    for (Tensor p : params)
      if (!p.isDense() || !p.isLeaf())
        throw new IllegalArgumentException("optimizer: parameters must be dense leaf tensors, got " + p);
    this.params = List.copyOf(params);
  }

  /** Applies one update from the current gradients. */
  public abstract void step();

  /** Clears every parameter's gradient. */
  public void zeroGrad() {
    for (Tensor p : params) p.zeroGrad();
  }

  static void checkRate(String who, float lr) {
    if (!(lr > 0) || !Float.isFinite(lr)) throw new IllegalArgumentException(who + ": learningRate (" + lr + ") must be > 0");
  }
}
