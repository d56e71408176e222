package org.neurite.optim;

import java.util.List;
import org.neurite.tensor.Tensor;

/**
 * AdamW (Loshchilov and Hutter, 2019, "Decoupled Weight Decay Regularization"), in PyTorch's
 * formulation (torch.optim.AdamW docs): before Adam's update, each weight shrinks by
 * {@code p *= 1 - lr * weightDecay}, instead of adding {@code weightDecay * p} to the gradient, so the
 * decay is not rescaled by the adaptive denominator. Default weight decay 0.01, as in PyTorch.
 *
 * <p>Not thread-safe: {@code step} updates the parameters and the moment state in place; drive one
 * optimizer from one thread.
 */
public final class AdamW extends Adam {
  /**
   * Keras style, PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01.
   *
   * @param lr the learning rate, {@code > 0}
   */
  public AdamW(float lr) {
    this(lr, 0.01f);
  }

  /**
   * PyTorch's betas (0.9, 0.999) and eps 1e-8, with this weight decay.
   *
   * @param lr the learning rate, {@code > 0}
   * @param weightDecay the decoupled weight decay, {@code >= 0}
   */
  public AdamW(float lr, float weightDecay) {
    this(lr, 0.9f, 0.999f, 1e-8f, weightDecay);
  }

  /**
   * PyTorch style: {@code new AdamW(model.parameters(), 1e-3f)}.
   *
   * @param params the parameters to update
   * @param lr the learning rate, {@code > 0}
   */
  public AdamW(List<Tensor> params, float lr) {
    this(lr);
    attach(params);
  }

  /**
   * Every hyperparameter, as PyTorch's AdamW takes them.
   *
   * @param lr the learning rate, {@code > 0}
   * @param beta1 the first moment's decay
   * @param beta2 the second moment's decay
   * @param eps added to the denominator
   * @param weightDecay the decoupled weight decay, {@code >= 0}
   */
  public AdamW(float lr, float beta1, float beta2, float eps, float weightDecay) {
    super(lr, beta1, beta2, eps, weightDecay, true);
  }
}
