package org.neurite.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.neurite.onnx.Graphs.i;
import static org.neurite.onnx.Graphs.model;
import static org.neurite.onnx.Graphs.node;
import static org.neurite.onnx.Graphs.value;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.neurite.onnx.proto.OnnxProto.AttributeProto;
import org.neurite.tensor.Tensor;

/** NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss as one-node models: values, ignore_index, weights, gradient. */
class LossOpsTest {
  private static AttributeProto reduction(String r) {
    return AttributeProto.newBuilder().setName("reduction").setType(AttributeProto.AttributeType.STRING)
        .setS(ByteString.copyFromUtf8(r)).build();
  }

  private static OnnxModel one(String op, List<String> out, String red) throws Exception {
    var n = node("n0", op, List.of("x", "t", "w"), out, reduction(red), i("ignore_index", -1));
    return Onnx.load(model(13, List.of(n), List.of(value("x", 1, 2, 3, 2), value("t", 7, 2, 2), value("w", 1, 3)), out, List.of())
        .toByteArray());
  }

  private static final float[] X = {0.5f, -1, 2, 0.25f, -0.5f, 1, 1.5f, 0, -2, 0.75f, 0.3f, -0.1f};
  private static final Tensor T = Tensor.of(new float[] {2, -1, 0, 1}, 2, 2), W = Tensor.of(new float[] {0.5f, 1, 2}, 3);

  /** Per element: -w[t] x[n, t, d], 0 where the target is ignore_index. */
  @Test
  void negativeLogLikelihoodWithoutReduction() throws Exception {
    Tensor y = one("NegativeLogLikelihoodLoss", List.of("y"), "none").run(Map.of("x", Tensor.of(X, 2, 3, 2), "t", T, "w", W)).get("y");
    assertArrayEquals(new int[] {2, 2}, y.shape());
    assertArrayEquals(new float[] {-2 * -0.5f, 0, -0.5f * 1.5f, -1 * 0.75f}, y.toArray(), 1e-6f);
  }

  /** Weighted mean over the kept targets, the log-probabilities as second output, and the gradient of the loss. */
  @Test
  void softmaxCrossEntropyMeanWithWeightsAndItsGradient() throws Exception {
    OnnxModel m = one("SoftmaxCrossEntropyLoss", List.of("y", "lp"), "mean");
    Tensor x = Tensor.of(X.clone(), 2, 3, 2).requiresGrad(true);
    Map<String, Tensor> r = m.run(Map.of("x", x, "t", T, "w", W));
    float[] lp = x.detach().logSoftmax(1).toArray();
    assertArrayEquals(lp, r.get("lp").toArray(), 1e-6f);
    float want = -(2 * lp[4] + 0.5f * lp[6] + 1 * lp[9]) / 3.5f;
    assertEquals(want, r.get("y").item(), 1e-5f);
    r.get("y").backward();
    float[] g = x.grad().toArray();
    for (int k = 0; k < X.length; k++) {
      float[] p = X.clone(), q = X.clone();
      p[k] += 1e-2f;
      q[k] -= 1e-2f;
      float fp = m.run(Map.of("x", Tensor.of(p, 2, 3, 2), "t", T, "w", W)).get("y").item();
      float fq = m.run(Map.of("x", Tensor.of(q, 2, 3, 2), "t", T, "w", W)).get("y").item();
      assertEquals((fp - fq) / 2e-2f, g[k], 2e-3f, "d loss / d x[" + k + "]");
    }
  }
}
