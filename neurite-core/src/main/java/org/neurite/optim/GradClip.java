package org.neurite.optim;

import java.util.List;
import org.neurite.tensor.Tensor;

/**
 * Gradient clipping, in place on the parameters' accumulated gradients, between {@code backward} and
 * the optimizer step. Parameters without a gradient are skipped. An optimizer can do this itself at
 * each step ({@link Optimizer#clipNorm}, {@link Optimizer#clipValue}); this is the PyTorch-style
 * utility for hand-written loops.
 *
 * <p>Reference: PyTorch's {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_};
 * Pascanu et al., 2013, "On the difficulty of training recurrent neural networks" (norm clipping).
 *
 * <p>Thread-safe: static methods with no shared state; clipping the same gradients from two threads at once
 * races, as any in-place update does.
 */
public final class GradClip {
  private GradClip() {}

  /**
   * Scales all gradients by {@code min(1, maxNorm / (total + 1e-6))}, where {@code total} is the L2
   * norm of all gradients taken together as one vector, and returns {@code total} (before clipping).
   * The 1e-6 is PyTorch's, so a gradient exactly at the limit is scaled by a hair under 1, as there.
   * A non-finite total is returned as is and poisons the gradients (NaN scale, or 0 times infinity),
   * as in PyTorch without {@code error_if_nonfinite}; the training loop then reports the NaN loss.
   *
   * @param params the parameters whose gradients to clip
   * @param maxNorm the largest global L2 norm allowed
   * @return the global norm before clipping
   */
  public static double byNorm(List<Tensor> params, double maxNorm) {
    if (!(maxNorm > 0)) throw new IllegalArgumentException("GradClip.byNorm: maxNorm (" + maxNorm + ") must be > 0");
    double sq = 0;   // in double: millions of float squares would lose the small ones
    for (Tensor p : params) {
      if (p.grad() == null) continue;
      for (float g : p.grad().data()) sq += (double) g * g;
    }
    double total = Math.sqrt(sq);
    float scale = (float) Math.min(1.0, maxNorm / (total + 1e-6));
    if (!(scale == 1f))   // also when NaN
      for (Tensor p : params) {
        if (p.grad() == null) continue;
        float[] g = p.grad().data();   // the gradient is dense: data() is its storage
        for (int i = 0; i < g.length; i++) g[i] *= scale;
      }
    return total;
  }

  /**
   * Clamps every gradient element to {@code [-clip, clip]}.
   *
   * @param params the parameters whose gradients to clip
   * @param clip the bound, {@code >= 0}
   */
  public static void byValue(List<Tensor> params, double clip) {
    if (!(clip > 0) || Double.isInfinite(clip)) throw new IllegalArgumentException("GradClip.byValue: clip (" + clip + ") must be > 0");
    float c = (float) clip;
    for (Tensor p : params) {
      if (p.grad() == null) continue;
      float[] g = p.grad().data();
      for (int i = 0; i < g.length; i++) g[i] = Math.max(-c, Math.min(c, g[i]));
    }
  }
}
