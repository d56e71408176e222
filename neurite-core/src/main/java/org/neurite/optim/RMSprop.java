package org.neurite.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neurite.tensor.Tensor;

/**
 * RMSprop (Hinton, 2012, Coursera "Neural Networks for Machine Learning", lecture 6e; the centered
 * form from Graves, 2013, "Generating Sequences With Recurrent Neural Networks"), in PyTorch's
 * formulation (torch.optim.RMSprop docs):
 *
 * <pre>
 * g = grad + weightDecay * p
 * s = alpha * s + (1 - alpha) * g^2
 * a = alpha * a + (1 - alpha) * g           centered only
 * d = sqrt(s - a^2) + eps   (centered)      else sqrt(s) + eps
 * b = momentum * b + g / d,  p -= lr * b    with momentum, else p -= lr * g / d
 * </pre>
 *
 * PyTorch's defaults (alpha 0.99, eps 1e-8 added outside the root), not Keras' (rho 0.9, eps 1e-7
 * inside the root), so PyTorch recipes carry over unchanged.
 *
 * <p>Not thread-safe: {@code step} updates the parameters and the moment state in place; drive one
 * optimizer from one thread.
 */
public final class RMSprop extends Optimizer {
  private final float alpha, eps, weightDecay, momentum;
  private final boolean centered;
  private float[][] squareAvg, gradAvg, buf;   // per parameter: [size], null until its first gradient

  /**
   * PyTorch's defaults: alpha 0.99, eps 1e-8, no momentum, not centered, no weight decay.
   *
   * @param lr the learning rate, {@code > 0}
   */
  public RMSprop(float lr) {
    this(lr, 0.99f, 1e-8f, 0f, 0f, false);
  }

  /**
   * PyTorch style: {@code new RMSprop(model.parameters(), 0.01f)}.
   *
   * @param params the parameters to update
   * @param lr the learning rate, {@code > 0}
   */
  public RMSprop(List<Tensor> params, float lr) {
    this(lr);
    attach(params);
  }

  /**
   * Every hyperparameter, as PyTorch's RMSprop takes them.
   *
   * @param lr the learning rate, {@code > 0}
   * @param alpha the squared-gradient average's decay, in [0, 1]
   * @param eps added to the denominator, {@code >= 0}
   * @param weightDecay L2 weight decay, {@code >= 0}
   * @param momentum the momentum factor, {@code >= 0}
   * @param centered whether to divide by the estimated variance rather than the second moment
   */
  public RMSprop(float lr, float alpha, float eps, float weightDecay, float momentum, boolean centered) {
    super(lr);
    checkRange("RMSprop", "alpha", alpha, 0, 1);
    checkNonNegative("RMSprop", "eps", eps);
    checkNonNegative("RMSprop", "weightDecay", weightDecay);
    checkNonNegative("RMSprop", "momentum", momentum);
    this.alpha = alpha;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.momentum = momentum;
    this.centered = centered;
  }

  @Override
  public void step() {
    clipGradients();
    List<Tensor> ps = params();
    if (squareAvg == null) {
      squareAvg = new float[ps.size()][];
      gradAvg = new float[ps.size()][];
      buf = new float[ps.size()][];
    }
    for (int i = 0; i < squareAvg.length; i++) {
      Tensor p = ps.get(i);
      if (p.grad() == null) continue;
      float lr = learningRate(p);
      float[] w = p.storage(), g = p.grad().data();
      if (squareAvg[i] == null) {
        squareAvg[i] = new float[w.length];
        if (centered) gradAvg[i] = new float[w.length];
        if (momentum > 0) buf[i] = new float[w.length];
      }
      float[] s = squareAvg[i], a = gradAvg[i], b = buf[i];
      for (int j = 0; j < w.length; j++) {
        float gj = g[j] + weightDecay * w[j];
        s[j] = alpha * s[j] + (1 - alpha) * gj * gj;
        float d;
        if (centered) {
          a[j] = alpha * a[j] + (1 - alpha) * gj;
          d = (float) Math.sqrt(s[j] - a[j] * a[j]) + eps;
        } else {
          d = (float) Math.sqrt(s[j]) + eps;
        }
        if (momentum > 0) {
          b[j] = momentum * b[j] + gj / d;
          w[j] -= lr * b[j];
        } else {
          w[j] -= lr * gj / d;
        }
      }
      p.bumpVersion();
    }
  }

  /**
   * {@code <i>.square_avg}, and {@code <i>.grad_avg} (centered) and {@code <i>.momentum_buffer} (with
   * momentum), for each parameter that has taken a step. PyTorch's step count is left out: the update
   * does not use it.
   */
  @Override
  public Map<String, Tensor> state() {
    Map<String, Tensor> s = new LinkedHashMap<>();
    putBuffers(s, "square_avg", squareAvg);
    putBuffers(s, "grad_avg", gradAvg);
    putBuffers(s, "momentum_buffer", buf);
    return s;
  }

  @Override
  public void loadState(Map<String, Tensor> s) {
    float[][] sq = loadBuffers(s, "square_avg"), ga = loadBuffers(s, "grad_avg"), mb = loadBuffers(s, "momentum_buffer");
    for (int i = 0; i < sq.length; i++) {
      boolean started = sq[i] != null;
      if ((centered && started) != (ga[i] != null) || (momentum > 0 && started) != (mb[i] != null))
        throw new IllegalArgumentException("RMSprop: optimizer state for parameter " + i + " does not match this optimizer "
            + "(centered=" + centered + ", momentum=" + momentum + "): it needs \"" + i + ".square_avg\""
            + (centered ? ", \"" + i + ".grad_avg\"" : "") + (momentum > 0 ? ", \"" + i + ".momentum_buffer\"" : "")
            + " together, or none of them");
    }
    squareAvg = sq;
    gradAvg = ga;
    buf = mb;
  }
}
