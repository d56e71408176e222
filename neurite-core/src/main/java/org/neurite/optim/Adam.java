package org.neurite.optim;

import java.util.List;
import org.neurite.tensor.Tensor;

/**
 * Adam (Kingma and Ba, 2015, "Adam: A Method for Stochastic Optimization"), in PyTorch's formulation:
 * bias-corrected moments, {@code eps} added after the square root, optional L2 weight decay added to
 * the gradient.
 */
public final class Adam extends Optimizer {
  private final float lr, beta1, beta2, eps, weightDecay;
  private final float[][] m, v;
  private int step;

  public Adam(List<Tensor> params, float lr) {
    this(params, lr, 0.9f, 0.999f, 1e-8f, 0f);
  }

  public Adam(List<Tensor> params, float lr, float beta1, float beta2, float eps, float weightDecay) {
    super(params);
    checkRate("Adam", lr);
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1))
      throw new IllegalArgumentException("Adam: betas (" + beta1 + ", " + beta2 + ") must be in [0, 1)");
    if (!(eps >= 0) || !(weightDecay >= 0))
      throw new IllegalArgumentException("Adam: eps (" + eps + ") and weightDecay (" + weightDecay + ") must be >= 0");
    this.lr = lr;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    m = new float[this.params.size()][];
    v = new float[this.params.size()][];
    for (int i = 0; i < m.length; i++) {
      m[i] = new float[this.params.get(i).size()];
      v[i] = new float[this.params.get(i).size()];
    }
  }

  @Override
  public void step() {
    step++;
    double c1 = 1 - Math.pow(beta1, step), c2 = 1 - Math.pow(beta2, step);
    float stepSize = (float) (lr / c1), sqrtC2 = (float) Math.sqrt(c2);
    for (int i = 0; i < m.length; i++) {
      Tensor p = params.get(i);
      if (p.grad() == null) continue;
      float[] w = p.storage(), g = p.grad().data(), mi = m[i], vi = v[i];
      for (int j = 0; j < w.length; j++) {
        float gj = weightDecay == 0 ? g[j] : g[j] + weightDecay * w[j];
        mi[j] = beta1 * mi[j] + (1 - beta1) * gj;
        vi[j] = beta2 * vi[j] + (1 - beta2) * gj * gj;
        w[j] -= stepSize * mi[j] / ((float) Math.sqrt(vi[j]) / sqrtC2 + eps);
      }
    }
  }
}
