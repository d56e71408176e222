package org.neurite.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neurite.tensor.Tensor;

/**
 * Stochastic gradient descent with optional momentum (Polyak, 1964; Sutskever et al., 2013, "On the
 * importance of initialization and momentum in deep learning", for the Nesterov form), in PyTorch's
 * formulation (torch.optim.SGD docs), which differs from the papers' and from Keras':
 *
 * <pre>
 * g = grad + weightDecay * p
 * b = g                                  at the parameter's first step with momentum
 * b = momentum * b + (1 - dampening) * g later
 * g = nesterov ? g + momentum * b : b
 * p = p - lr * g
 * </pre>
 *
 * The learning rate multiplies the whole buffer at each step, so changing it mid-run changes past
 * momentum too (as in PyTorch, not as in Keras).
 *
 * <p>Not thread-safe: {@code step} updates the parameters and the moment state in place; drive one
 * optimizer from one thread.
 */
public final class SGD extends Optimizer {
  private final float momentum, dampening, weightDecay;
  private final boolean nesterov;
  private float[][] buf;   // per parameter: the momentum buffer [size], null until its first gradient

  /**
   * Plain SGD: {@code p -= lr * grad}.
   *
   * @param lr the learning rate, {@code > 0}
   */
  public SGD(float lr) {
    this(lr, 0f, 0f, 0f, false);
  }

  /**
   * SGD with momentum, no dampening and no weight decay.
   *
   * @param lr the learning rate, {@code > 0}
   * @param momentum the momentum factor, {@code >= 0}
   * @param nesterov whether to use Nesterov momentum
   */
  public SGD(float lr, float momentum, boolean nesterov) {
    this(lr, momentum, 0f, 0f, nesterov);
  }

  /**
   * PyTorch style: {@code new SGD(model.parameters(), 0.1f)}.
   *
   * @param params the parameters to update
   * @param lr the learning rate, {@code > 0}
   */
  public SGD(List<Tensor> params, float lr) {
    this(lr);
    attach(params);
  }

  /**
   * Every hyperparameter, as PyTorch's SGD takes them.
   *
   * @param lr the learning rate, {@code > 0}
   * @param momentum the momentum factor, {@code >= 0}
   * @param dampening the momentum dampening, in [0, 1]
   * @param weightDecay L2 weight decay, {@code >= 0}
   * @param nesterov whether to use Nesterov momentum
   */
  public SGD(float lr, float momentum, float dampening, float weightDecay, boolean nesterov) {
    super(lr);
    checkNonNegative("SGD", "momentum", momentum);
    checkRange("SGD", "dampening", dampening, 0, 1);
    checkNonNegative("SGD", "weightDecay", weightDecay);
    if (nesterov && (momentum == 0 || dampening != 0))
      throw new IllegalArgumentException("SGD: nesterov needs momentum > 0 and dampening 0, got momentum=" + momentum
          + ", dampening=" + dampening);
    this.momentum = momentum;
    this.dampening = dampening;
    this.weightDecay = weightDecay;
    this.nesterov = nesterov;
  }

  @Override
  public void step() {
    clipGradients();
    List<Tensor> ps = params();
    if (buf == null) buf = new float[ps.size()][];
    for (int i = 0; i < buf.length; i++) {
      Tensor p = ps.get(i);
      if (p.grad() == null) continue;
      float lr = learningRate(p);
      float[] w = p.storage(), g = p.grad().data();
      boolean first = buf[i] == null;
      if (momentum != 0 && first) buf[i] = new float[w.length];
      float[] b = buf[i];
      for (int j = 0; j < w.length; j++) {
        float d = g[j] + weightDecay * w[j];
        if (momentum != 0) {
          b[j] = first ? d : momentum * b[j] + (1 - dampening) * d;
          d = nesterov ? d + momentum * b[j] : b[j];
        }
        w[j] -= lr * d;
      }
      p.bumpVersion();
    }
  }

  /** {@code <i>.momentum_buffer} for each parameter that has one. */
  @Override
  public Map<String, Tensor> state() {
    Map<String, Tensor> s = new LinkedHashMap<>();
    putBuffers(s, "momentum_buffer", buf);
    return s;
  }

  @Override
  public void loadState(Map<String, Tensor> s) {
    buf = loadBuffers(s, "momentum_buffer");
  }
}
