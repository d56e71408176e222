package org.neurite.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neurite.tensor.Tensor;

/**
 * Adam (Kingma and Ba, 2015, "Adam: A Method for Stochastic Optimization"), in PyTorch's formulation:
 * bias-corrected moments, {@code eps} added after the square root, optional L2 weight decay added to
 * the gradient.
 */
public final class Adam extends Optimizer {
  private final float beta1, beta2, eps, weightDecay;
  private float[][] m, v;
  private int step;

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
    super(lr);
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1))
      throw new IllegalArgumentException("Adam: betas (" + beta1 + ", " + beta2 + ") must be in [0, 1)");
    if (!(eps >= 0) || !(weightDecay >= 0))
      throw new IllegalArgumentException("Adam: eps (" + eps + ") and weightDecay (" + weightDecay + ") must be >= 0");
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
  }

  @Override
  public void step() {
    List<Tensor> ps = params();
    if (m == null) {
      m = new float[ps.size()][];
      v = new float[ps.size()][];
      for (int i = 0; i < m.length; i++) {
        m[i] = new float[ps.get(i).size()];
        v[i] = new float[ps.get(i).size()];
      }
    }
    step++;
    double c1 = 1 - Math.pow(beta1, step), c2 = 1 - Math.pow(beta2, step);
    float stepSize = (float) (learningRate / c1), sqrtC2 = (float) Math.sqrt(c2);
    for (int i = 0; i < m.length; i++) {
      Tensor p = ps.get(i);
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

  @Override
  public Map<String, Tensor> state() {
    Map<String, Tensor> s = new LinkedHashMap<>();
    s.put("step", Tensor.scalar(step));
    if (m != null)
      for (int i = 0; i < m.length; i++) {
        s.put(i + ".exp_avg", Tensor.of(m[i].clone(), m[i].length));
        s.put(i + ".exp_avg_sq", Tensor.of(v[i].clone(), v[i].length));
      }
    return s;
  }

  @Override
  public void loadState(Map<String, Tensor> s) {
    Tensor st = s.get("step");
    if (st == null) throw new IllegalArgumentException("Adam: optimizer state has no \"step\"");
    step = (int) st.item();
    List<Tensor> ps = params();
    if (step == 0) {
      m = v = null;
      return;
    }
    m = new float[ps.size()][];
    v = new float[ps.size()][];
    for (int i = 0; i < ps.size(); i++) {
      Tensor a = s.get(i + ".exp_avg"), b = s.get(i + ".exp_avg_sq");
      if (a == null || b == null || a.size() != ps.get(i).size() || b.size() != ps.get(i).size())
        throw new IllegalArgumentException("Adam: optimizer state for parameter " + i + " is missing or has the wrong size "
            + "(expected " + ps.get(i).size() + " values)");
      m[i] = a.toArray();
      v[i] = b.toArray();
    }
  }
}
