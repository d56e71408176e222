package org.neurite.ops;

import org.neurite.autograd.Tape;
import org.neurite.kernels.Pointwise;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * Fused losses: their backward is simpler and more exact than the chain of their parts.
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
  // loss = -1/N sum_i logp[i, y_i].  dlogits = dloss * (softmax(logits) - onehot(y)) / N.
  public static Tensor softmaxCrossEntropy(Tensor logits, Tensor labels) {
    if (logits.rank() != 2)
      throw new IllegalArgumentException("cross_entropy: logits must be [N, C], got " + Shape.str(logits.shape()));
    int n = logits.shape(0), c = logits.shape(1);
    if (labels.rank() != 1 || labels.shape(0) != n)
      throw new IllegalArgumentException("cross_entropy: labels must be [" + n + "] to match logits "
          + Shape.str(logits.shape()) + ", got " + Shape.str(labels.shape()));
    if (n == 0) throw new IllegalArgumentException("cross_entropy: empty batch (logits " + Shape.str(logits.shape()) + ")");
    float[] x = logits.data(), lab = labels.data();
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = (int) lab[i];
      if (y[i] != lab[i] || y[i] < 0 || y[i] >= c)
        throw new IndexOutOfBoundsException("cross_entropy: label " + lab[i] + " at position " + i
            + " is not a class index in [0, " + c + ")");
    }
    float[] logp = new float[x.length];
    double total = 0;
    for (int i = 0; i < n; i++) {
      Pointwise.logSoftmaxRow(x, i * c, logp, i * c, c);
      total -= logp[i * c + y[i]];
    }
    Tensor loss = Tensor.scalar((float) (total / n));
    return Tape.record("cross_entropy", loss, dl -> {
      float scale = dl.item() / n;
      float[] g = new float[logp.length];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < c; j++) g[i * c + j] = (float) Math.exp(logp[i * c + j]) * scale;
        g[i * c + y[i]] -= scale;
      }
      return new Tensor[] {Tensor.of(g, n, c), null};
    }, logits, labels);
  }
}
