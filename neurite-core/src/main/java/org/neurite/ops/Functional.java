package org.neurite.ops;

import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * The ops that are not {@link Tensor} methods, in one place (PyTorch's {@code torch.nn.functional}).
 * Square kernel, stride, padding and dilation arguments are given once for both axes.
 *
 * <p>Thread-safe: static methods with no shared mutable state (the graph lives in the tensors, grad mode
 * and workspaces are per thread); the tensors themselves are not thread-safe.
 */
public final class Functional {
  private Functional() {}

  public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int stride, int padding, int dilation, int groups) {
    return Convolution.conv2d(x, w, bias, pair(stride), pair(padding), pair(dilation), groups);
  }

  public static Tensor conv2d(Tensor x, Tensor w, Tensor bias) {
    return conv2d(x, w, bias, 1, 0, 1, 1);
  }

  public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
    return Pooling.maxPool2d(x, pair(kernel), pair(stride), pair(padding));
  }

  /** Non-overlapping max pooling (stride = kernel), Keras' MaxPooling2D default. */
  public static Tensor maxPool2d(Tensor x, int kernel) {
    return maxPool2d(x, kernel, kernel, 0);
  }

  public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
    return Pooling.avgPool2d(x, pair(kernel), pair(stride), pair(padding), true);
  }

  /** Mean over H and W of {@code [N, C, H, W]}, giving {@code [N, C]}. */
  public static Tensor globalAvgPool2d(Tensor x) {
    return x.mean(false, 2, 3);
  }

  /** Mean cross-entropy of logits {@code [N, C]} against class indices {@code [N]}. */
  public static Tensor crossEntropy(Tensor logits, Tensor labels) {
    return Losses.softmaxCrossEntropy(logits, labels);
  }

  public static Tensor dropout(Tensor x, float p, boolean training, Rng rng) {
    return Dropout.dropout(x, p, training, rng);
  }

  /** {@code x w^T + b}: PyTorch's linear with weight {@code [out, in]}. */
  public static Tensor linear(Tensor x, Tensor w, Tensor b) {
    Tensor y = x.matmul(w.t());
    return b == null ? y : y.add(b);
  }

  private static int[] pair(int v) {
    return new int[] {v, v};
  }
}
