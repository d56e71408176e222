package org.neurite.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.neurite.testing.Errors.assertMessage;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.neurite.autograd.GradCheck;
import org.neurite.autograd.GradMode;
import org.neurite.kernels.AttentionKernels;
import org.neurite.ops.Attention;
import org.neurite.ops.LinearAlgebra;
import org.neurite.ops.Normalization;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.testing.Golden;

/**
 * Attention and layer norm: the fused scaled dot-product attention (ops/Attention over
 * kernels/AttentionKernels) in its three layouts, with padding and causal masks and dropout;
 * MultiHeadAttention against nn.MultiheadAttention; the seed's attention pooling; Bahdanau additive
 * attention; LayerNorm. Golden forward and backward against PyTorch
 * (tools/fixtures/make_attention_fixtures.py), finite-difference checks, and the error messages.
 */
class AttentionTest {
  static final Golden.Fixture FIX = Golden.load("org/neurite/nn/attention.safetensors");
  static final double ATOL = 2e-5, RTOL = 1e-4;

  // ---------------------------------------------------------------- helpers shared with TransformerTest

  /** Copies the case's tensors named as the module's state_dict into it. */
  static void load(Module m, Golden.Case c) {
    Map<String, Tensor> state = new LinkedHashMap<>();
    for (String k : m.stateDict().keySet()) state.put(k, c.tensor(k));
    m.loadStateDict(state);
  }

  /** Compares every parameter's gradient with the case's grad_<name>. */
  static void checkParamGrads(Module m, Golden.Case c) {
    for (var e : m.namedParameters().entrySet())
      Golden.assertClose(c.name() + " grad_" + e.getKey(), c.expected("grad_" + e.getKey()), e.getValue().grad(), ATOL, RTOL);
  }

  static Tensor maskOrNull(Golden.Case c) {
    return c.has("mask") ? c.tensor("mask") : null;
  }

  // ---------------------------------------------------------------- scaled dot-product attention

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sdpa_basic", "sdpa_padding", "sdpa_causal", "sdpa_causal_padding", "sdpa_long"})
  void scaledDotProductMatchesPyTorch(String name) {
    Golden.Case c = FIX.get(name);
    boolean causal = name.contains("causal");
    Attention.Result r = Attention.scaledDotProduct(c.input("q"), c.input("k"), c.input("v"), maskOrNull(c), causal);
    Golden.assertClose(name + " weights", c.expected("weights"), r.weights(), ATOL, RTOL);
    c.check(r.output(), ATOL, RTOL);
  }

  @Test
  void packedLayoutsAgreeWithPyTorchsLayout() {
    // The same heads as [N, H, T, d], as [N, T, H*d] and as one [N, T, 3E] projection.
    Rng rng = new Rng(3);
    int n = 2, h = 3, t = 7, d = 5, e = h * d;
    Tensor qkv = Tensor.randn(rng, n, t, 3 * e).requiresGrad(true);
    Tensor mask = Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, n, t);
    Tensor u = Tensor.randn(rng, n, t, e);
    Attention.Result packed = Attention.multiHeadSelf(qkv, h, mask, true, 0f, null, true);
    packed.output().mul(u).sum().backward();
    Tensor gPacked = qkv.grad();
    qkv.zeroGrad();

    Tensor[] parts = qkv.split(2, e, e, e);
    Tensor q = parts[0].reshape(n, t, h, d).permute(0, 2, 1, 3);
    Tensor k = parts[1].reshape(n, t, h, d).permute(0, 2, 1, 3);
    Tensor v = parts[2].reshape(n, t, h, d).permute(0, 2, 1, 3);
    Attention.Result ref = Attention.scaledDotProduct(q, k, v, mask, true);
    Tensor out = ref.output().permute(0, 2, 1, 3).reshape(n, t, e);
    out.mul(u).sum().backward();
    Golden.assertClose("out", out, packed.output(), 1e-6, 1e-5);
    Golden.assertClose("grad", qkv.grad(), gPacked, 1e-6, 1e-5);
    Golden.assertClose("mean weights", ref.weights().mean(false, 1), packed.weights(), 1e-6, 1e-5);

    qkv.zeroGrad();
    Attention.Result split = Attention.multiHead(parts[0], parts[1], parts[2], h, mask, true, 0f, null, false);
    split.output().mul(u).sum().backward();
    Golden.assertClose("multiHead out", out, split.output(), 1e-6, 1e-5);
    Golden.assertClose("multiHead grad", gPacked, qkv.grad(), 1e-6, 1e-5);
    assertNull(split.weights());
  }

  @Test
  void aSecondBackwardThroughTheSameGraphStillGetsTheRightGradient() {
    // The saved probabilities go back to a pool after the first backward and may be reused by the next
    // forward; a second backward through the first graph must not read them.
    Rng rng = new Rng(31);
    Tensor a = Tensor.randn(rng, 2, 6, 12).requiresGrad(true), b = Tensor.randn(rng, 2, 6, 12).requiresGrad(true);
    Tensor u = Tensor.randn(rng, 2, 6, 4);
    Tensor lossA = Attention.multiHeadSelf(a, 2, null, false, 0f, null, false).output().mul(u).sum();
    lossA.backward();
    Tensor first = a.grad();
    a.zeroGrad();
    Attention.multiHeadSelf(b, 2, null, true, 0f, null, false).output().mul(u).sum();   // takes the pooled array
    lossA.backward();
    Golden.assertClose("second backward", first, a.grad(), 0, 0);
  }

  @Test
  void fusedAttentionMatchesItsComposite() {
    Rng rng = new Rng(12);
    Tensor mask = Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 0, 0}, 2, 4);
    for (boolean causal : new boolean[] {false, true}) {
      Tensor[] a = {Tensor.randn(rng, 2, 3, 4, 5).requiresGrad(true), Tensor.randn(rng, 2, 3, 4, 5).requiresGrad(true),
          Tensor.randn(rng, 2, 3, 4, 6).requiresGrad(true)};
      Tensor[] b = new Tensor[3];
      for (int i = 0; i < 3; i++) b[i] = Tensor.of(a[i].toArray(), a[i].shape()).requiresGrad(true);
      Tensor u = Tensor.randn(rng, 2, 3, 4, 6);
      Tensor fused = Attention.scaledDotProduct(a[0], a[1], a[2], mask, causal).output();
      Tensor ref = Attention.scaledDotProductComposite(b[0], b[1], b[2], mask, causal);
      Golden.assertClose("attention causal=" + causal, ref, fused, 1e-5, 1e-5);
      fused.mul(u).sum().backward();
      ref.mul(u).sum().backward();
      for (int i = 0; i < 3; i++) Golden.assertClose("grad " + "qkv".charAt(i), b[i].grad(), a[i].grad(), 1e-5, 1e-4);
    }
  }

  @Test
  void gradCheckScaledDotProduct() {
    Rng rng = new Rng(11);
    Tensor mask = Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 0, 0}, 2, 4);
    GradCheck.defaults().check(in -> Attention.scaledDotProduct(in[0], in[1], in[2], mask, false).output(),
        Tensor.randn(rng, 2, 2, 3, 5).requiresGrad(true), Tensor.randn(rng, 2, 2, 4, 5).requiresGrad(true),
        Tensor.randn(rng, 2, 2, 4, 3).requiresGrad(true));
    GradCheck.defaults().check(in -> Attention.scaledDotProduct(in[0], in[1], in[2], null, true).output(),
        Tensor.randn(rng, 1, 2, 4, 3).requiresGrad(true), Tensor.randn(rng, 1, 2, 4, 3).requiresGrad(true),
        Tensor.randn(rng, 1, 2, 4, 2).requiresGrad(true));
  }

  @Test
  void gradCheckPackedWithDropout() {
    // A fresh generator per call: the same dropout mask in every forward of the check.
    Rng rng = new Rng(12);
    Tensor mask = Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, 2, 5);
    GradCheck.defaults().check(in -> Attention.multiHeadSelf(in[0], 2, mask, true, 0.3f, new Rng(5), false).output(),
        Tensor.randn(rng, 2, 5, 12).requiresGrad(true));
    GradCheck.defaults().check(in -> Attention.multiHead(in[0], in[1], in[2], 2, mask, false, 0.4f, new Rng(6), false).output(),
        Tensor.randn(rng, 2, 3, 4).requiresGrad(true), Tensor.randn(rng, 2, 5, 4).requiresGrad(true),
        Tensor.randn(rng, 2, 5, 6).requiresGrad(true));
  }

  @Test
  void dropoutZeroesWeightsAtItsRateAndScalesTheRest() {
    // With v = identity the output is the dropped-out weights themselves.
    int t = 64;
    float p = 0.25f;
    Rng rng = new Rng(4);
    Tensor q = Tensor.randn(rng, 2, 2, t, 8), k = Tensor.randn(rng, 2, 2, t, 8);
    float[] eye = new float[2 * 2 * t * t];
    for (int b = 0; b < 4; b++) for (int i = 0; i < t; i++) eye[b * t * t + i * t + i] = 1f;
    Attention.Result r = Attention.scaledDotProduct(q, k, Tensor.of(eye, 2, 2, t, t), null, false, p, new Rng(9));
    float[] out = r.output().data(), w = r.weights().data();
    int zeros = 0;
    for (int i = 0; i < out.length; i++) {
      if (out[i] == 0f) zeros++;
      else assertEquals(w[i] / (1 - p), out[i], 1e-6 + 1e-5 * out[i], "kept weight " + i);
    }
    double rate = zeros / (double) out.length;
    assertTrue(Math.abs(rate - p) < 0.02, "dropped fraction " + rate + ", expected about " + p);
    // a second call draws a new mask; the same seed gives the same one
    Attention.Result again = Attention.scaledDotProduct(q, k, Tensor.of(eye, 2, 2, t, t), null, false, p, new Rng(9));
    Golden.assertClose("same seed", r.output(), again.output(), 0, 0);
  }

  @Test
  void aQueryThatSeesNoKeyGetsZeros() {
    Rng rng = new Rng(8);
    Tensor q = Tensor.randn(rng, 2, 1, 3, 4).requiresGrad(true), k = Tensor.randn(rng, 2, 1, 3, 4).requiresGrad(true);
    Tensor v = Tensor.randn(rng, 2, 1, 3, 4).requiresGrad(true);
    Tensor mask = Tensor.of(new float[] {0, 1, 1, 0, 0, 0}, 2, 3);   // causal row 0 of sample 0 and all of sample 1 see nothing
    Attention.Result r = Attention.scaledDotProduct(q, k, v, mask, true);
    float[] out = r.output().data();
    for (int j = 0; j < 4; j++) assertEquals(0f, out[j]);
    for (int j = 12; j < 24; j++) assertEquals(0f, out[j]);
    r.output().sum().backward();
    for (float g : q.grad().data()) assertTrue(Float.isFinite(g));
  }

  @Test
  void theSmallProductMatchesItsScalarReference() {
    Rng rng = new Rng(2);
    for (int[] s : new int[][] {{1, 1, 1}, {7, 5, 3}, {8, 16, 16}, {13, 17, 9}, {100, 100, 16}, {33, 40, 0}}) {
      int m = s[0], n = s[1], k = s[2];
      float[] a = Tensor.randn(rng, m * k + 3).data(), b = Tensor.randn(rng, k * n + 5).data();
      for (boolean trans : new boolean[] {false, true}) {
        int rs = trans ? 1 : k, cs = trans ? m : 1;
        float[] c1 = new float[m * n + 2], c2 = new float[m * n + 2];
        AttentionKernels.matmul(m, n, k, 0.5f, a, 3, rs, cs, b, 5, n, c1, 1, n);
        AttentionKernels.matmulScalar(m, n, k, 0.5f, a, 3, rs, cs, b, 5, n, c2, 1, n);
        Golden.assertClose("matmul " + m + "x" + n + "x" + k + (trans ? " transA" : ""), c2, c1, null, 1e-5, 1e-5);
      }
    }
  }

  // ---------------------------------------------------------------- masked softmax

  @Test
  void maskedSoftmaxGivesPaddingNoWeightAndPassesGradCheck() {
    Rng rng = new Rng(6);
    Tensor mask = Tensor.of(new float[] {1, 1, 0, 1, 0, 0, 0, 0, 0, 0}, 2, 5);
    Tensor s = Tensor.randn(rng, 2, 5);
    float[] y = Attention.maskedSoftmax(s, mask).data();
    assertEquals(0f, y[2]);
    assertEquals(1f, y[0] + y[1] + y[3], 1e-6);
    for (int j = 5; j < 10; j++) assertEquals(0f, y[j]);
    GradCheck.defaults().check(in -> Attention.maskedSoftmax(in[0], mask), Tensor.randn(rng, 2, 5).requiresGrad(true));
    GradCheck.defaults().check(in -> Attention.maskedSoftmax(in[0], mask), Tensor.randn(rng, 2, 3, 5).requiresGrad(true));
    GradCheck.defaults().check(in -> Attention.maskedSoftmax(in[0], null), Tensor.randn(rng, 3, 17).requiresGrad(true));
  }

  // ---------------------------------------------------------------- MultiHeadAttention

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"mha_self", "mha_self_padding", "mha_cross_padding", "mha_causal"})
  void multiHeadAttentionMatchesPyTorch(String name) {
    Golden.Case c = FIX.get(name);
    Tensor query = c.input("query");
    int e = query.shape(2), heads = switch (name) {
      case "mha_self_padding" -> 4;
      case "mha_cross_padding" -> 3;
      default -> 2;
    };
    MultiHeadAttention m = new MultiHeadAttention(e, heads);
    m.buildFor(new int[] {query.shape(1), e});
    load(m, c);
    Tensor key = c.has("key") ? c.input("key") : query, value = c.has("value") ? c.input("value") : query;
    MultiHeadAttention.Result r = m.call(query, key, value, maskOrNull(c), name.contains("causal"));
    Golden.assertClose(name + " weights", c.expected("weights"), r.weights(), ATOL, RTOL);
    c.check(r.output(), ATOL, RTOL);
    checkParamGrads(m, c);
  }

  @Test
  void multiHeadAttentionStateDictHasPyTorchsNames() {
    MultiHeadAttention m = new MultiHeadAttention(8, 2);
    m.buildFor(new int[] {5, 8});
    assertEquals("[in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias]", m.stateDict().keySet().toString());
    assertEquals(8 * 24 + 24 + 64 + 8, m.parameterCount());
  }

  @Test
  void gradCheckMultiHeadAttentionWeights() {
    Seeds.set(1);
    MultiHeadAttention m = new MultiHeadAttention(6, 3);
    Rng rng = new Rng(1);
    Tensor x = Tensor.randn(rng, 2, 4, 6).requiresGrad(true);
    Tensor mask = Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 0, 0}, 2, 4);
    m.forward(x, mask);
    Tensor[] all = new Tensor[5];
    all[0] = x;
    int i = 1;
    for (Tensor p : m.parameters()) all[i++] = p;
    GradCheck.defaults().check(in -> m.forward(in[0], mask), all);
  }

  @Test
  void multiHeadAttentionAcceptsAnyLengthAndDropsOutOnlyWhileTraining() {
    Seeds.set(2);
    MultiHeadAttention m = new MultiHeadAttention(8, 2).dropout(0.5f);
    Rng rng = new Rng(2);
    Tensor a = Tensor.randn(rng, 2, 5, 8), b = Tensor.randn(rng, 3, 9, 8);
    assertEquals("[2, 5, 8]", java.util.Arrays.toString(m.forward(a).shape()));
    assertEquals("[3, 9, 8]", java.util.Arrays.toString(m.forward(b).shape()));
    m.eval();
    Golden.assertClose("eval is deterministic", m.forward(a), m.forward(a), 0, 0);
    m.train(true);
    float diff = m.forward(a).sub(m.forward(a)).abs().max().item();
    assertTrue(diff > 0, "two training passes drew the same dropout mask");
  }

  // ---------------------------------------------------------------- attention pooling (the seed's module)

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"pool_seed", "pool_masked"})
  void attentionPoolingMatchesTheSeedsModule(String name) {
    Golden.Case c = FIX.get(name);
    Tensor h = c.input("h");
    AttentionPooling pool = new AttentionPooling(c.expected("W2.weight").shape(0));
    pool.buildFor(new int[] {h.shape(1), h.shape(2)});
    load(pool, c);
    AttentionPooling.Result r = pool.call(h, maskOrNull(c));
    Golden.assertClose(name + " weights", c.expected("weights"), r.weights(), ATOL, RTOL);
    c.check(r.context(), ATOL, RTOL);
    checkParamGrads(pool, c);
    assertEquals("[W2.weight, W2.bias, V.weight, V.bias]", pool.stateDict().keySet().toString());
  }

  @Test
  void attentionPoolingInASequentialTakesTheMask() {
    Golden.Case c = FIX.get("pool_masked");
    AttentionPooling pool = new AttentionPooling(3);
    Tensor h = c.tensor("h");
    pool.buildFor(new int[] {h.shape(1), h.shape(2)});
    load(pool, c);
    Golden.assertClose("forward(h, mask)", c.expected("out"), pool.forward(h, c.tensor("mask")), ATOL, RTOL);
    GradCheck.defaults().check(in -> pool.forward(in[0], c.tensor("mask")), c.tensor("h").requiresGrad(true));
  }

  // ---------------------------------------------------------------- additive attention

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"additive_step", "additive_all"})
  void additiveAttentionMatchesTheReference(String name) {
    Golden.Case c = FIX.get(name);
    AdditiveAttention attn = new AdditiveAttention(c.expected("U.weight").shape(0));
    try (var g = GradMode.off()) {
      attn.call(c.tensor("query"), c.tensor("values"), null);   // builds the projections
    }
    load(attn, c);
    SourceAttention.Result r = attn.call(c.input("query"), c.input("values"), maskOrNull(c));
    Golden.assertClose(name + " weights", c.expected("weights"), r.weights(), ATOL, RTOL);
    c.check(r.context(), ATOL, RTOL);
    checkParamGrads(attn, c);
  }

  // ---------------------------------------------------------------- multiplicative (Luong) attention

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"luong_general_step", "luong_general_all", "luong_dot_all"})
  void multiplicativeAttentionMatchesTheReference(String name) {
    Golden.Case c = FIX.get(name);
    boolean general = name.contains("general");
    int hq = c.expected("query").shape(-1);
    MultiplicativeAttention attn = new MultiplicativeAttention(general ? "general" : "dot", hq);
    if (general) {
      try (var g = GradMode.off()) {
        attn.call(c.tensor("query"), c.tensor("values"), null);   // builds W
      }
      load(attn, c);
    }
    SourceAttention.Result r = attn.call(c.input("query"), c.input("values"), maskOrNull(c));
    Golden.assertClose(name + " weights", c.expected("weights"), r.weights(), ATOL, RTOL);
    c.check(r.context(), ATOL, RTOL);
    if (general) checkParamGrads(attn, c);
    Tensor mask = maskOrNull(c);
    GradCheck.defaults().check(in -> attn.call(in[0], in[1], mask).context(), c.tensor("query").requiresGrad(true),
        c.tensor("values").requiresGrad(true));
  }

  @Test
  void multiplicativeAttentionNamesBadShapes() {
    assertMessage(IllegalArgumentException.class, () -> new MultiplicativeAttention("dot", 4).call(Tensor.zeros(2, 4),
        Tensor.zeros(2, 5, 6), null), "the dot score needs values as wide as the query (4)", "use the general score");
    assertMessage(IllegalArgumentException.class, () -> new MultiplicativeAttention("cosine", 4), "score \"cosine\" is not dot or general");
    assertMessage(IllegalArgumentException.class, () -> new MultiplicativeAttention("general", 4).call(Tensor.zeros(2, 3),
        Tensor.zeros(2, 5, 6), null), "expected query [N, 4]");
  }

  // ---------------------------------------------------------------- layer norm

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"layernorm", "layernorm_d64", "layernorm_d37", "layernorm_offset"})
  void layerNormMatchesPyTorch(String name) {
    Golden.Case c = FIX.get(name);
    c.check(Normalization.layerNorm(c.input("x"), c.input("weight"), c.input("bias"), 1e-5f), ATOL, RTOL);
  }

  @Test
  void layerNormLayerMatchesPyTorchAndItsComposite() {
    Golden.Case c = FIX.get("layernorm_d64");
    LayerNorm norm = new LayerNorm();
    Tensor x = c.input("x");
    norm.buildFor(new int[] {x.shape(1), x.shape(2)});
    load(norm, c);
    c.check(norm.forward(x), ATOL, RTOL);
    checkParamGrads(norm, c);
    Tensor x2 = c.tensor("x");
    Golden.assertClose("composite", Normalization.layerNormComposite(x2, c.tensor("weight"), c.tensor("bias"), 1e-5f),
        Normalization.layerNorm(x2, c.tensor("weight"), c.tensor("bias"), 1e-5f), 1e-5, 1e-5);
  }

  @Test
  void gradCheckLayerNorm() {
    Rng rng = new Rng(13);
    GradCheck.defaults().check(in -> Normalization.layerNorm(in[0], in[1], in[2], 1e-5f),
        Tensor.randn(rng, 3, 19).requiresGrad(true), Tensor.randn(rng, 19).requiresGrad(true), Tensor.randn(rng, 19).requiresGrad(true));
    GradCheck.defaults().check(in -> Normalization.layerNorm(in[0], null, null, 1e-5f), Tensor.randn(rng, 2, 2, 32).requiresGrad(true));
  }

  // ---------------------------------------------------------------- the fused linear layer and residual norm

  @Test
  void linearMatchesItsComposite() {
    Rng rng = new Rng(21);
    Tensor x = Tensor.randn(rng, 3, 5, 7).requiresGrad(true), w = Tensor.randn(rng, 9, 7).requiresGrad(true);
    Tensor b = Tensor.randn(rng, 9).requiresGrad(true), u = Tensor.randn(rng, 3, 5, 9);
    for (boolean relu : new boolean[] {false, true}) {
      Tensor fused = LinearAlgebra.linear(x, w, b, relu, 0f, null);
      fused.mul(u).sum().backward();
      Tensor[] g = {x.grad(), w.grad(), b.grad()};
      x.zeroGrad();
      w.zeroGrad();
      b.zeroGrad();
      Tensor ref = org.neurite.ops.Functional.linear(x, w, b);
      if (relu) ref = ref.relu();
      ref.mul(u).sum().backward();
      Golden.assertClose("linear relu=" + relu, ref, fused, 1e-5, 1e-5);
      Golden.assertClose("dx", x.grad(), g[0], 1e-5, 1e-5);
      Golden.assertClose("dw", w.grad(), g[1], 1e-5, 1e-5);
      Golden.assertClose("db", b.grad(), g[2], 1e-5, 1e-5);
      x.zeroGrad();
      w.zeroGrad();
      b.zeroGrad();
    }
  }

  @Test
  void gradCheckLinearWithReluAndDropout() {
    Rng rng = new Rng(22);
    // keep pre-activations away from ReLU's kink: a large bias spread
    Tensor x = Tensor.randn(rng, 4, 6).requiresGrad(true), w = Tensor.randn(rng, 5, 6).requiresGrad(true);
    Tensor b = Tensor.of(new float[] {3, -3, 2.5f, -2.5f, 4}, 5).requiresGrad(true);
    GradCheck.defaults().check(in -> LinearAlgebra.linear(in[0], in[1], in[2], true, 0.3f, new Rng(3)), x, w, b);
    GradCheck.defaults().check(in -> LinearAlgebra.linear(in[0], in[1], in[2], false, 0.3f, new Rng(3)), x, w, b);
    GradCheck.defaults().check(in -> LinearAlgebra.linear(in[0], in[1], null, false, 0f, null), x, w);
  }

  @Test
  void addLayerNormMatchesItsCompositeAndPassesGradCheck() {
    Rng rng = new Rng(23);
    Tensor x = Tensor.randn(rng, 2, 3, 20).requiresGrad(true), r = Tensor.randn(rng, 2, 3, 20).requiresGrad(true);
    Tensor w = Tensor.randn(rng, 20).requiresGrad(true), b = Tensor.randn(rng, 20).requiresGrad(true);
    Golden.assertClose("add_layer_norm", Normalization.layerNorm(x.add(r), w, b, 1e-5f),
        Normalization.addLayerNorm(x, r, w, b, 1e-5f, 0f, null), 1e-5, 1e-5);
    try (var off = GradMode.off()) {   // inference keeps no x + r for a backward: another code path
      Golden.assertClose("add_layer_norm without grad", Normalization.layerNorm(x.add(r), w, b, 1e-5f),
          Normalization.addLayerNorm(x, r, w, b, 1e-5f, 0f, null), 1e-5, 1e-5);
    }
    GradCheck.defaults().check(in -> Normalization.addLayerNorm(in[0], in[1], in[2], in[3], 1e-5f, 0f, null), x, r, w, b);
    GradCheck.defaults().check(in -> Normalization.addLayerNorm(in[0], in[1], in[2], in[3], 1e-5f, 0.4f, new Rng(4)), x, r, w, b);
  }

  @Test
  void dropoutMasksAreReproducibleAndMatchTheScalarReference() {
    for (int n : new int[] {1, 15, 16, 17, 1000}) {
      float[] v = new float[n + 3], s = new float[n + 3];
      AttentionKernels.dropoutMask(0.3f, 77L, 1234, v, 3, n);
      AttentionKernels.dropoutMaskScalar(0.3f, 77L, 1234, s, 3, n);
      Golden.assertClose("mask n=" + n, s, v, null, 0, 0);
    }
    float[] a = new float[100_000], b = new float[100_000];
    AttentionKernels.dropoutMask(0.1f, 5L, 0, a, 0, a.length);
    AttentionKernels.dropoutMask(0.1f, 6L, 0, b, 0, b.length);
    int dropped = 0, same = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] == 0f) dropped++;
      else assertEquals(1f / 0.9f, a[i], 1e-6);
      if ((a[i] == 0f) == (b[i] == 0f)) same++;
    }
    assertEquals(0.1, dropped / 1e5, 0.005, "dropped fraction");
    assertTrue(same < 0.85 * a.length, "another seed should give another mask, " + same + " of " + a.length + " agree");
  }

  // ---------------------------------------------------------------- errors

  @Test
  void headsThatDoNotDivideTheWidthAreAnError() {
    assertMessage(IllegalArgumentException.class, () -> new MultiHeadAttention(65, 4),
        "MultiHeadAttention: dModel (65) must be divisible by heads (4)", "Hint: use heads in {1, 5, 13, 65}");
    assertMessage(IllegalArgumentException.class, () -> new TransformerEncoderLayer(10, 3, 16), "dModel (10)", "heads (3)");
    assertMessage(IllegalArgumentException.class,
        () -> Attention.multiHeadSelf(Tensor.zeros(1, 2, 12), 3, null, false, 0f, null, false),
        "multi_head_self_attention", "embedding size 4 is not divisible by heads=3");
  }

  @Test
  void maskOfTheWrongShapeIsAnError() {
    MultiHeadAttention m = new MultiHeadAttention(8, 2);
    assertMessage(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(2, 5, 8), Tensor.ones(2, 4)),
        "keyPaddingMask must be [N, S] = [2, 5]", "got [2, 4]");
    assertMessage(IllegalArgumentException.class,
        () -> Attention.maskedSoftmax(Tensor.zeros(3, 4), Tensor.ones(3, 5)), "masked_softmax", "[3, 4]", "got [3, 5]");
    assertMessage(IllegalArgumentException.class,
        () -> new AttentionPooling(4).call(Tensor.zeros(2, 6, 3), Tensor.ones(6)), "mask must be [N, T] = [2, 6]", "got [6]");
  }

  @Test
  void badInputShapesAreErrors() {
    MultiHeadAttention m = new MultiHeadAttention(8, 2);
    assertMessage(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(2, 5, 6)),
        "MultiHeadAttention(8, heads=2)", "[N, T, 8]", "[5, 6]");
    m.forward(Tensor.zeros(1, 3, 8));
    assertMessage(IllegalArgumentException.class, () -> m.call(Tensor.zeros(2, 3, 8), Tensor.zeros(2, 4, 8), Tensor.zeros(2, 5, 8), null, false),
        "same N", "key and value the same length");
    assertMessage(IllegalArgumentException.class,
        () -> Attention.scaledDotProduct(Tensor.zeros(1, 2, 3, 4), Tensor.zeros(1, 2, 5, 3), Tensor.zeros(1, 2, 5, 4), null, false),
        "scaled_dot_product_attention", "[1, 2, 5, 3]", "k [N, H, S, dk]");
    assertMessage(IllegalArgumentException.class,
        () -> Attention.scaledDotProduct(Tensor.zeros(2, 3, 4), Tensor.zeros(2, 3, 4), Tensor.zeros(2, 3, 4), null, false),
        "must be [N, H, T, d]", "[2, 3, 4]");
    assertMessage(IllegalArgumentException.class, () -> Normalization.layerNorm(Tensor.zeros(2, 5), Tensor.ones(4), null, 1e-5f),
        "layer_norm: weight must be [5]", "got [4]");
    assertMessage(IllegalArgumentException.class, () -> new AdditiveAttention(4).call(Tensor.zeros(3, 2), Tensor.zeros(2, 5, 3), null),
        "AdditiveAttention(4)", "with N = 2", "got [3, 2]");
  }
}
