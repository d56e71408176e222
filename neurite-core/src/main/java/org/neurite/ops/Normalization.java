package org.neurite.ops;

import org.neurite.autograd.Tape;
import org.neurite.kernels.AttentionKernels;
import org.neurite.kernels.BatchNormKernels;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;
import org.neurite.tensor.Workspace;

/**
 * Layer normalisation over the last axis (Ba, Kiros and Hinton, 2016), fused: one pass computes the
 * statistics and the output, one pass the backward; {@link #addLayerNorm} also takes in the residual
 * add (and its dropout) of a post-norm Transformer block. The composite it replaces,
 * {@link #layerNormComposite}, stays as the reference for tests.
 *
 * <p>Batch normalisation ({@link #batchNorm}) is fused the same way; {@code nn.BatchNorm} is its layer.
 * Not here: normalisation over several trailing axes.
 *
 * <p>Thread-safe: static methods with no shared mutable state (the graph lives in the tensors, grad mode
 * and workspaces are per thread); the tensors themselves are not thread-safe.
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
    float[] y = Workspace.floats(xs.length);
    boolean grad = Tape.needed(x, weight, bias);
    float[] mean = grad ? new float[rows] : null, rstd = grad ? new float[rows] : null;
    AttentionKernels.layerNorm(xs, w, b, y, rows, d, eps, mean, rstd);
    Tensor out = Tensor.of(y, x.shape());
    if (!grad) return out;
    return Tape.record("layer_norm", out, dy -> {
      float[] dx = Workspace.floats(xs.length);
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

  /**
   * Batch normalisation over axis 1 of {@code [N, C, ...]}, PyTorch's
   * {@code F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)}: with
   * {@code training}, the batch's mean and biased variance normalise, and the running statistics (if
   * given) move towards the batch's mean and unbiased variance by {@code momentum}; otherwise the
   * running statistics normalise. One pass for the statistics, one for the output; backward is one
   * pass too.
   *
   * @param x           [N, C, ...]
   * @param runningMean [C] or null (training only: then nothing is tracked); updated in place
   * @param runningVar  [C] or null, as runningMean
   * @param weight      [C] or null; bias [C] or null
   */
  public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, boolean training,
                                 float momentum, float eps) {
    return batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps, null);
  }

  /**
   * Training-mode batch norm without running statistics that hands back the batch's mean and biased
   * variance {@code [C]} as {@code stats[0]} and {@code stats[1]}: for callers that keep their own
   * running statistics (ONNX's BatchNormalization, whose momentum is 1 - PyTorch's, outputs them).
   */
  public static Tensor batchNormTrain(Tensor x, Tensor weight, Tensor bias, float eps, float[][] stats) {
    return batchNorm(x, null, null, weight, bias, true, 0f, eps, stats);
  }

  private static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, boolean training,
                                  float momentum, float eps, float[][] stats) {
    if (x.rank() < 2) throw new IllegalArgumentException("batch_norm: expected [N, C, ...], got " + Shape.str(x.shape()));
    int n = x.shape(0), c = x.shape(1), sp = n * c == 0 ? 0 : x.size() / (n * c);
    for (Tensor t : new Tensor[] {runningMean, runningVar, weight, bias})
      if (t != null && (t.rank() != 1 || t.shape(0) != c))
        throw new IllegalArgumentException("batch_norm: statistics and parameters must be [" + c + "] for input "
            + Shape.str(x.shape()) + ", got " + Shape.str(t.shape()));
    if (!training && (runningMean == null || runningVar == null))
      throw new IllegalArgumentException("batch_norm: evaluation needs the running mean and variance");
    if (training && stats == null && (long) n * sp < 2)   // batchNormTrain's callers (ONNX) decide for themselves
      throw new IllegalArgumentException("batch_norm: training needs more than one value per channel, got input "
          + Shape.str(x.shape()) + " (PyTorch refuses it too: the variance of one value is 0)");
    float[] xs = x.data(), w = weight == null ? null : weight.data(), b = bias == null ? null : bias.data();
    float[] y = Workspace.floats(xs.length), rstd = new float[c];
    double[] mean = new double[c];
    if (training) {
      float[] var = new float[c];
      BatchNormKernels.forwardTrain(xs, w, b, y, n, c, sp, eps, mean, var, rstd);
      if (stats != null) {
        stats[0] = new float[c];
        for (int i = 0; i < c; i++) stats[0][i] = (float) mean[i];
        stats[1] = var;
      }
      if (runningMean != null) {
        float[] rm = runningMean.storage(), rv = runningVar.storage();
        float unbias = (float) ((double) n * sp / (n * sp - 1));
        for (int i = 0; i < c; i++) {
          rm[i] = (1 - momentum) * rm[i] + momentum * (float) mean[i];
          rv[i] = (1 - momentum) * rv[i] + momentum * var[i] * unbias;
        }
      }
    } else {
      float[] rmean = runningMean.toArray();
      for (int i = 0; i < c; i++) mean[i] = rmean[i];
      float[] var = runningVar.toArray();
      BatchNormKernels.forwardEval(xs, w, b, y, n, c, sp, eps, mean, var);
      for (int i = 0; i < c; i++) rstd[i] = (float) (1 / Math.sqrt((double) var[i] + eps));
    }
    Tensor out = Tensor.of(y, x.shape());
    if (!Tape.needed(x, weight, bias)) return out;
    return Tape.record("batch_norm", out, dy -> {
      float[] dx = x.requiresGrad() ? Workspace.floats(xs.length) : null;
      float[] dw = weight != null && weight.requiresGrad() ? new float[c] : null;
      float[] db = bias != null && bias.requiresGrad() ? new float[c] : null;
      BatchNormKernels.backward(xs, w, mean, rstd, dy.data(), dx, dw, db, n, c, sp, training);
      return new Tensor[] {dx == null ? null : Tensor.of(dx, x.shape()), dw == null ? null : Tensor.of(dw, c),
          db == null ? null : Tensor.of(db, c)};
    }, x, weight, bias);
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
