package org.neurite.onnx;

import java.util.function.DoubleUnaryOperator;
import org.neurite.ops.Joining;
import org.neurite.tensor.Tensor;

/**
 * Graph-free helpers of the ONNX operators: elementwise maps in double (for the ops that have no
 * gradient: Floor, Sign, casts), the allocation check in front of neurite-core's pad, and in-place
 * clamps for inference. Not ops: every differentiable op the importer runs is in {@code org.neurite.ops}.
 */
final class Prims {
  private Prims() {}

  /** y = f(x) elementwise in double, no graph. */
  static Tensor map(Tensor x, DoubleUnaryOperator f) {
    float[] s = x.data();
    float[] o = new float[s.length];
    for (int i = 0; i < o.length; i++) o[i] = (float) f.applyAsDouble(s[i]);
    return Tensor.of(o, x.shape());
  }

  /** neurite-core's constant pad, after checking that the padded tensor may be allocated (hostile pads). */
  static Tensor pad(Tensor x, int[] before, int[] after, float value) {
    int[] out = x.shape();
    for (int d = 0; d < out.length && d < before.length && d < after.length; d++) out[d] += before[d] + after[d];
    OnnxModel.checkAlloc("pad", out);
    return Joining.pad(x, before, after, value);
  }

  // ---------------------------------------------------------------- in-place activations (no graph)

  /** x = max(x, 0) in place, for outputs that nothing else holds (inference only). */
  static void reluInPlace(float[] x) {
    clampInPlace(x, 0f, Float.POSITIVE_INFINITY);
  }

  /**
   * x = clamp(x, lo, hi) in place (inference only), vectorised and on all threads: MobileNetV2 clamps
   * every convolution's output (ReLU6), and the scalar loop on one thread was 23% of its inference.
   */
  static void clampInPlace(float[] x, float lo, float hi) {
    int chunk = 1 << 14, chunks = (x.length + chunk - 1) / chunk;
    org.neurite.kernels.Parallel.forRange(chunks, 4, (c0, c1) -> {
      int from = c0 * chunk, to = Math.min(x.length, c1 * chunk);
      org.neurite.kernels.Pointwise.clamp(x, from, x, from, to - from, lo, hi);
    });
  }
}
