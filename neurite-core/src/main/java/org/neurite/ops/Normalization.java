package org.neurite.ops;

import org.neurite.autograd.Tape;
import org.neurite.kernels.AttentionKernels;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * Layer normalisation over the last axis (Ba, Kiros and Hinton, 2016), fused: one pass computes the
 * statistics and the output, one pass the backward; {@link #addLayerNorm} also takes in the residual
 * add (and its dropout) of a post-norm Transformer block. The composite it replaces,
 * {@link #layerNormComposite}, stays as the reference for tests.
 *
 * <p>Not here: batch normalisation (nn.BatchNorm), normalisation over several trailing axes.
 */
public final class Normalization {
  private Normalization() {}

  /**
   * {@code y = (x - mean) / sqrt(var + eps) * weight + bias} over the last axis, with the biased
   * variance, as PyTorch's {@code F.layer_norm(x, [D], weight, bias, eps)}.
   *
   * @param x      [..., D]
   * @param weight [D] or null
   * @param bias   [D] or null
   */
  // mean, rstd per row.  dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) with g = dy * w;
  // dw = sum over rows of dy * xhat; db = sum over rows of dy.
  public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps) {
    if (x.rank() == 0) throw new IllegalArgumentException("layer_norm: needs at least one axis, got a scalar");
    int d = x.shape(-1);
    checkParam("weight", weight, d, x);
    checkParam("bias", bias, d, x);
    if (!(eps >= 0)) throw new IllegalArgumentException("layer_norm: eps (" + eps + ") must be >= 0");
    int rows = d == 0 ? 0 : x.size() / d;
    float[] xs = x.data(), w = weight == null ? null : weight.data(), b = bias == null ? null : bias.data();
    float[] y = new float[xs.length];
    boolean grad = Tape.needed(x, weight, bias);
    float[] mean = grad ? new float[rows] : null, rstd = grad ? new float[rows] : null;
    AttentionKernels.layerNorm(xs, w, b, y, rows, d, eps, mean, rstd);
    Tensor out = Tensor.of(y, x.shape());
    if (!grad) return out;
    return Tape.record("layer_norm", out, dy -> {
      float[] dx = new float[xs.length];
      float[] dw = weight != null && weight.requiresGrad() ? new float[d] : null;
      float[] db = bias != null && bias.requiresGrad() ? new float[d] : null;
      AttentionKernels.layerNormBackward(xs, w, mean, rstd, dy.data(), dx, dw, db, rows, d);
      return new Tensor[] {x.requiresGrad() ? Tensor.of(dx, x.shape()) : null,
          dw == null ? null : Tensor.of(dw, d), db == null ? null : Tensor.of(db, d)};
    }, x, weight, bias);
  }

  /**
   * The residual connection of a post-norm Transformer block and its norm, fused:
   * {@code layerNorm(x + dropout(r))}, dropout of rate {@code dropout} when {@code rng} is not null.
   *
   * @param x, r [..., D], the same shape; weight, bias [D] or null
   */
  // s = x + r * mask;  y = layer_norm(s).  ds from the layer norm backward; dx = ds, dr = ds * mask.
  public static Tensor addLayerNorm(Tensor x, Tensor r, Tensor weight, Tensor bias, float eps, float dropout, Rng rng) {
    if (!Shape.same(x.shape(), r.shape()))
      throw new IllegalArgumentException("add_layer_norm: x " + Shape.str(x.shape()) + " and r " + Shape.str(r.shape())
          + " must have the same shape");
    if (x.rank() == 0) throw new IllegalArgumentException("add_layer_norm: needs at least one axis, got a scalar");
    int d = x.shape(-1);
    checkParam("weight", weight, d, x);
    checkParam("bias", bias, d, x);
    if (!(dropout >= 0f && dropout < 1f)) throw new IllegalArgumentException("add_layer_norm: dropout (" + dropout + ") must be in [0, 1)");
    float p = rng != null ? dropout : 0f;
    long seed = p > 0f ? rng.nextLong() : 0L;
    int n = x.size(), rows = d == 0 ? 0 : n / d;
    float[] w = weight == null ? null : weight.data(), b = bias == null ? null : bias.data();
    boolean grad = Tape.needed(x, r, weight, bias);
    float[] s = grad ? new float[n] : null, y = new float[n];
    float[] mean = grad ? new float[rows] : null, rstd = grad ? new float[rows] : null;
    AttentionKernels.addLayerNorm(x.data(), r.data(), p, seed, s, w, b, y, rows, d, eps, mean, rstd);
    Tensor out = Tensor.of(y, x.shape());
    if (!grad) return out;
    return Tape.record("add_layer_norm", out, dy -> {
      float[] ds = new float[n];
      float[] dw = weight != null && weight.requiresGrad() ? new float[d] : null;
      float[] db = bias != null && bias.requiresGrad() ? new float[d] : null;
      AttentionKernels.layerNormBackward(s, w, mean, rstd, dy.data(), ds, dw, db, rows, d);
      float[] dr = ds;
      if (p > 0f && r.requiresGrad()) AttentionKernels.applyDropout(ds, dr = new float[n], n, p, seed);
      return new Tensor[] {x.requiresGrad() ? Tensor.of(ds, x.shape()) : null, r.requiresGrad() ? Tensor.of(dr, r.shape()) : null,
          dw == null ? null : Tensor.of(dw, d), db == null ? null : Tensor.of(db, d)};
    }, x, r, weight, bias);
  }

  /** The composite reference: the same function from mean, var, sub, div, mul and add. */
  public static Tensor layerNormComposite(Tensor x, Tensor weight, Tensor bias, float eps) {
    Tensor mu = x.mean(true, -1);
    Tensor xc = x.sub(mu);
    Tensor y = xc.div(xc.mul(xc).mean(true, -1).add(eps).sqrt());
    if (weight != null) y = y.mul(weight);
    return bias == null ? y : y.add(bias);
  }

  private static void checkParam(String name, Tensor p, int d, Tensor x) {
    if (p != null && (p.rank() != 1 || p.shape(0) != d))
      throw new IllegalArgumentException("layer_norm: " + name + " must be [" + d + "] for input " + Shape.str(x.shape())
          + ", got " + Shape.str(p.shape()));
  }
}
