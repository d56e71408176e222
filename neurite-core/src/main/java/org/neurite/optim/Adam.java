package org.neurite.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neurite.tensor.Tensor;

/**
 * Adam (Kingma and Ba, 2015, "Adam: A Method for Stochastic Optimization"), in PyTorch's formulation
 * (torch.optim.Adam docs): bias-corrected moments, {@code eps} added after the square root, optional
 * L2 weight decay added to the gradient. Each parameter counts its own steps, as in PyTorch, so one
 * that first gets a gradient late starts its bias correction then. No AMSGrad variant.
 *
 * <p>{@link AdamW} is the same update with the weight decay decoupled from the gradient.
 *
 * <p>Not thread-safe: {@code step} updates the parameters and the moment state in place; drive one
 * optimizer from one thread.
 */
public sealed class Adam extends Optimizer permits AdamW {
  private final float beta1, beta2, eps, weightDecay;
  private final boolean decoupled;
  private float[][] m, v;   // per parameter: [size], null until its first gradient
  private int[] steps;

  /** Keras style: parameters are attached by compile. */
  public Adam(float lr) {
    this(lr, 0.9f, 0.999f, 1e-8f, 0f);
  }

  /** PyTorch style: {@code new Adam(model.parameters(), 1e-3f)}. */
  public Adam(List<Tensor> params, float lr) {
    this(lr);
    attach(params);
  }

  public Adam(float lr, float beta1, float beta2, float eps, float weightDecay) {
    this(lr, beta1, beta2, eps, weightDecay, false);
  }

  Adam(float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled) {
    super(lr);
    String who = getClass().getSimpleName();
    checkRange(who, "beta1", beta1, 0, 1);
    checkRange(who, "beta2", beta2, 0, 1);
    checkNonNegative(who, "eps", eps);
    checkNonNegative(who, "weightDecay", weightDecay);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.decoupled = decoupled;
  }

  @Override
  public void step() {
    clipGradients();
    List<Tensor> ps = params();
    if (steps == null) {
      m = new float[ps.size()][];
      v = new float[ps.size()][];
      steps = new int[ps.size()];
    }
    for (int i = 0; i < m.length; i++) {
      Tensor p = ps.get(i);
      if (p.grad() == null) continue;
      float lr = learningRate(p);
      if (m[i] == null) {
        m[i] = new float[p.size()];
        v[i] = new float[p.size()];
      }
      int t = ++steps[i];
      double c1 = 1 - Math.pow(beta1, t), c2 = 1 - Math.pow(beta2, t);
      float stepSize = (float) (lr / c1), sqrtC2 = (float) Math.sqrt(c2);
      // AdamW: p *= 1 - lr * wd before the moments (Loshchilov and Hutter); Adam: g += wd * p.
      float decay = decoupled ? (float) (1 - (double) lr * weightDecay) : 1f;
      float l2 = decoupled ? 0f : weightDecay;
      float[] w = p.storage(), g = p.grad().data(), mi = m[i], vi = v[i];
      // Elementwise, so split across threads and vectorised, with the scalar loop's operations in its
      // order (no fused multiply-adds): the result does not depend on the thread count or the lanes.
      org.neurite.kernels.Parallel.forRange(w.length, 1 << 16, (j0, j1) -> update(w, g, mi, vi, j0, j1, decay, l2, stepSize, sqrtC2));
      p.bumpVersion();
    }
  }

  private void update(float[] w, float[] g, float[] mi, float[] vi, int from, int to, float decay, float l2, float stepSize,
                      float sqrtC2) {
    float b1 = beta1, b2 = beta2, c1 = 1 - beta1, c2 = 1 - beta2, e = eps;
    int j = org.neurite.kernels.Simd.ENABLED
        ? AdamVector.update(w, g, mi, vi, from, to, decay, l2, stepSize, sqrtC2, b1, b2, c1, c2, e) : from;
    for (; j < to; j++) {
      w[j] *= decay;
      float gj = g[j] + l2 * w[j];
      mi[j] = b1 * mi[j] + c1 * gj;
      vi[j] = b2 * vi[j] + c2 * gj * gj;
      w[j] -= stepSize * mi[j] / ((float) Math.sqrt(vi[j]) / sqrtC2 + e);
    }
  }

  /** {@code <i>.step}, {@code <i>.exp_avg}, {@code <i>.exp_avg_sq} for each parameter that has taken a step. */
  @Override
  public Map<String, Tensor> state() {
    Map<String, Tensor> s = new LinkedHashMap<>();
    if (steps == null) return s;
    for (int i = 0; i < steps.length; i++)
      if (steps[i] > 0) s.put(i + ".step", Tensor.scalar(steps[i]));
    putBuffers(s, "exp_avg", m);
    putBuffers(s, "exp_avg_sq", v);
    return s;
  }

  @Override
  public void loadState(Map<String, Tensor> s) {
    float[][] a = loadBuffers(s, "exp_avg"), b = loadBuffers(s, "exp_avg_sq");
    int[] t = new int[a.length];
    for (int i = 0; i < t.length; i++) {
      Tensor st = s.get(i + ".step");
      t[i] = st == null ? 0 : (int) st.item();
      if ((t[i] > 0) != (a[i] != null) || (a[i] != null) != (b[i] != null))
        throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer state for parameter " + i
            + " needs all or none of \"" + i + ".step\" (> 0), \"" + i + ".exp_avg\", \"" + i + ".exp_avg_sq\"");
    }
    m = a;
    v = b;
    steps = t;
  }
}
