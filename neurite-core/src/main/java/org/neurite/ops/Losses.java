package org.neurite.ops;

import org.neurite.autograd.Tape;
import org.neurite.kernels.Pointwise;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * Fused losses (cross-entropy, with an ignore index and label smoothing for sequence models): their backward is simpler and more exact than the chain of their parts.
 *
 * <p>Thread-safe: static methods with no shared mutable state (the graph lives in the tensors, grad mode
 * and workspaces are per thread); the tensors themselves are not thread-safe.
 */
public final class Losses {
  private Losses() {}

  /**
   * Mean cross-entropy of {@code logits: [N, C]} against class indices {@code labels: [N]}:
   * {@code -mean(log_softmax(logits)[i, labels[i]])}, PyTorch's {@code F.cross_entropy}.
   */
  public static Tensor softmaxCrossEntropy(Tensor logits, Tensor labels) {
    if (logits.rank() == 2 && logits.shape(0) == 0)
      throw new IllegalArgumentException("cross_entropy: empty batch (logits " + Shape.str(logits.shape()) + ")");
    return crossEntropy(logits, labels, false, 0, 0f);
  }

  /**
   * Padding-aware, optionally label-smoothed cross-entropy on logits, the loss of a sequence model
   * trained with teacher forcing: {@code F.cross_entropy(logits, labels, ignore_index=ignoreIndex,
   * label_smoothing=smoothing)} with the mean reduction.
   * <pre>
   *   q_i      = (1 - eps) onehot(y_i) + eps / C              (PyTorch's label_smoothing)
   *   loss     = sum_{i: y_i != ignore} -sum_j q_ij log_softmax(x_i)_j  /  #{i: y_i != ignore}
   * </pre>
   * Args: {@code logits} {@code [M, C]}, {@code labels} {@code [M]} (class indices), {@code ignoreIndex}
   * (usually PAD, 0), {@code smoothing} in [0, 1). Rows whose label is {@code ignoreIndex} contribute
   * neither loss nor gradient; 0 (with zero gradient) when every label is ignored.
   */
  // loss = 1/K sum_i [-(1-eps) logp[i, y_i] - eps/C sum_j logp[i, j]]
  // dlogits[i, j] = dloss/K * (softmax[i, j] - q[i, j]) for kept rows, 0 for ignored ones.
  public static Tensor crossEntropy(Tensor logits, Tensor labels, int ignoreIndex, float smoothing) {
    return crossEntropy(logits, labels, true, ignoreIndex, smoothing);
  }

  private static Tensor crossEntropy(Tensor logits, Tensor labels, boolean ignores, int ignoreIndex, float smoothing) {
    if (logits.rank() != 2)
      throw new IllegalArgumentException("cross_entropy: logits must be [N, C], got " + Shape.str(logits.shape()));
    int m = logits.shape(0), c = logits.shape(1);
    if (labels.rank() != 1 || labels.shape(0) != m)
      throw new IllegalArgumentException("cross_entropy: labels must be [" + m + "] to match logits "
          + Shape.str(logits.shape()) + ", got " + Shape.str(labels.shape()));
    if (!(smoothing >= 0f && smoothing < 1f))
      throw new IllegalArgumentException("cross_entropy: smoothing (" + smoothing + ") must be in [0, 1)");
    float[] x = logits.data(), lab = labels.data();
    int[] y = new int[m];
    int kept = 0;
    for (int i = 0; i < m; i++) {
      y[i] = (int) lab[i];
      if (ignores && y[i] == ignoreIndex) continue;
      if (y[i] != lab[i] || y[i] < 0 || y[i] >= c)
        throw new IndexOutOfBoundsException("cross_entropy: label " + lab[i] + " at position " + i
            + " is not a class index in [0, " + c + ")");
      kept++;
    }
    float[] logp = new float[x.length];
    double total = 0;
    double on = 1.0 - smoothing, off = smoothing / (double) c;
    for (int i = 0; i < m; i++) {
      if (ignores && y[i] == ignoreIndex) continue;
      Pointwise.logSoftmaxRow(x, i * c, logp, i * c, c);
      double rowSum = 0;
      if (smoothing > 0) for (int j = 0; j < c; j++) rowSum += logp[i * c + j];
      total -= on * logp[i * c + y[i]] + off * rowSum;
    }
    final int k = kept;
    Tensor loss = Tensor.scalar(k == 0 ? 0f : (float) (total / k));
    return Tape.record("cross_entropy", loss, dl -> {
      float[] g = new float[logp.length];
      if (k > 0) {
        float scale = dl.item() / k;
        float offS = (float) off * scale, onS = (float) on * scale;
        for (int i = 0; i < m; i++) {
          if (ignores && y[i] == ignoreIndex) continue;
          for (int j = 0; j < c; j++) g[i * c + j] = (float) Math.exp(logp[i * c + j]) * scale - offS;
          g[i * c + y[i]] -= onS;
        }
      }
      return new Tensor[] {Tensor.of(g, m, c), null};
    }, logits, labels);
  }
}
