package org.neurite.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.neurite.testing.Errors.assertMessage;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.neurite.autograd.GradCheck;
import org.neurite.ops.Attention;
import org.neurite.ops.Functional;
import org.neurite.ops.Normalization;
import org.neurite.optim.Adam;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.testing.Golden;

/**
 * The Transformer encoder layer against nn.TransformerEncoderLayer (post-norm and pre-norm with GELU,
 * with and without a padding mask), padding invariance, the positional encodings, GlobalAvgPool1D,
 * mask propagation through Sequential, and a tiny classifier that learns.
 */
class TransformerTest {
  private static final Golden.Fixture FIX = AttentionTest.FIX;
  private static final double ATOL = 5e-5, RTOL = 2e-4;   // two layer norms and three products deep

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"encoder_post", "encoder_post_padding", "encoder_pre_gelu_padding"})
  void encoderLayerMatchesPyTorch(String name) {
    Golden.Case c = FIX.get(name);
    TransformerEncoderLayer layer = new TransformerEncoderLayer(16, 4, 32).dropout(0f);
    if (name.contains("pre")) layer.normFirst(true).gelu();
    layer.buildFor(new int[] {5, 16});
    AttentionTest.load(layer, c);
    Tensor x = c.input("x");
    Tensor out = c.has("mask") ? layer.forward(x, c.tensor("mask")) : layer.forward(x);
    c.checkForward(out, ATOL, RTOL);
    out.backward(c.expected("u"));
    Golden.assertClose(name + " grad_x", c.expected("grad_x"), x.grad(), ATOL, RTOL);
    for (var e : layer.namedParameters().entrySet())
      Golden.assertClose(name + " grad_" + e.getKey(), c.expected("grad_" + e.getKey()), e.getValue().grad(), ATOL, RTOL);
  }

  @Test
  void stateDictHasPyTorchsNamesAndCount() {
    TransformerEncoderLayer layer = new TransformerEncoderLayer(64, 4, 256);
    layer.buildFor(new int[] {100, 64});
    assertEquals("[self_attn.in_proj_weight, self_attn.in_proj_bias, self_attn.out_proj.weight, self_attn.out_proj.bias, "
        + "linear1.weight, linear1.bias, linear2.weight, linear2.bias, norm1.weight, norm1.bias, norm2.weight, norm2.bias]",
        layer.stateDict().keySet().toString());
    assertEquals(49_984, layer.parameterCount());   // PyTorch's count for d 64, 4 heads, ff 256
    assertEquals("TransformerEncoderLayer(64, heads=4, ff=256)", layer.toString());
  }

  @Test
  void paddedStepsChangeNothingAtRealSteps() {
    Seeds.set(3);
    TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, 16).dropout(0f);
    Rng rng = new Rng(3);
    Tensor x = Tensor.randn(rng, 2, 6, 8);
    Tensor mask = Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, 2, 6);
    float[] a = layer.forward(x, mask).data();
    float[] changed = x.toArray();
    for (int t = 3; t < 6; t++) for (int j = 0; j < 8; j++) changed[(6 + t) * 8 + j] = 100f * (j - 4);
    float[] b = layer.forward(Tensor.of(changed, 2, 6, 8), mask).data();
    for (int i = 0; i < 2 * 6 * 8; i++) {
      boolean real = i < 6 * 8 || (i - 6 * 8) / 8 < 3;
      if (real) assertEquals(a[i], b[i], 1e-5, "real step value " + i);
    }
    // and the same sample alone, cut to its real length, gives the same real steps
    Tensor alone = Tensor.of(Arrays.copyOfRange(x.toArray(), 6 * 8, 6 * 8 + 3 * 8), 1, 3, 8);
    float[] c = layer.forward(alone).data();
    for (int i = 0; i < 3 * 8; i++) assertEquals(c[i], a[6 * 8 + i], 1e-5, "cut sample " + i);
  }

  /**
   * The layer is its children's forward, fused inside the ops: the same function spelled with the
   * composite references (linear, matmul/softmax/matmul attention, layer norm from means) agrees.
   */
  @Test
  void encoderLayerMatchesTheCompositionOfItsParts() {
    Seeds.set(6);
    int e = 8, h = 2, d = e / h;
    TransformerEncoderLayer layer = new TransformerEncoderLayer(e, h, 12).dropout(0f);
    Rng rng = new Rng(6);
    Tensor x = Tensor.randn(rng, 2, 5, e).requiresGrad(true);
    Tensor mask = Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, 2, 5);
    Tensor y = layer.forward(x, mask);
    var p = layer.namedParameters();
    Tensor x2 = Tensor.of(x.toArray(), x.shape()).requiresGrad(true);
    Tensor[] qkv = new Tensor[3];
    for (int i = 0; i < 3; i++)
      qkv[i] = Functional.linear(x2, p.get("self_attn.in_proj_weight").slice(0, i * e, (i + 1) * e),
          p.get("self_attn.in_proj_bias").slice(0, i * e, (i + 1) * e)).reshape(2, 5, h, d).transpose(1, 2);
    Tensor heads = Attention.scaledDotProductComposite(qkv[0], qkv[1], qkv[2], mask, false).transpose(1, 2).contiguous()
        .reshape(2, 5, e);
    Tensor sa = Functional.linear(heads, p.get("self_attn.out_proj.weight"), p.get("self_attn.out_proj.bias"));
    Tensor x1 = Normalization.layerNormComposite(x2.add(sa), p.get("norm1.weight"), p.get("norm1.bias"), 1e-5f);
    Tensor ff = Functional.linear(Functional.linear(x1, p.get("linear1.weight"), p.get("linear1.bias")).relu(),
        p.get("linear2.weight"), p.get("linear2.bias"));
    Tensor ref = Normalization.layerNormComposite(x1.add(ff), p.get("norm2.weight"), p.get("norm2.bias"), 1e-5f);
    Golden.assertClose("encoder layer", ref, y, ATOL, RTOL);
    Tensor u = Tensor.randn(rng, 2, 5, e);
    y.mul(u).sum().backward();
    ref.mul(u).sum().backward();
    Golden.assertClose("grad x", x2.grad(), x.grad(), ATOL, RTOL);
  }

  @Test
  void gradCheckEncoderLayer() {
    Seeds.set(4);
    TransformerEncoderLayer layer = new TransformerEncoderLayer(4, 2, 6).dropout(0f);
    Rng rng = new Rng(4);
    Tensor x = Tensor.randn(rng, 2, 3, 4).requiresGrad(true);
    Tensor mask = Tensor.of(new float[] {1, 1, 1, 1, 1, 0}, 2, 3);
    layer.forward(x, mask);
    var params = layer.parameters();
    Tensor[] all = new Tensor[params.size() + 1];
    all[0] = x;
    for (int i = 0; i < params.size(); i++) all[i + 1] = params.get(i);
    GradCheck.defaults().check(in -> layer.forward(in[0], mask), all);
  }

  @Test
  void dropoutIsActiveInTrainingOnly() {
    Seeds.set(5);
    TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, 16);   // dropout 0.1 by default
    Tensor x = Tensor.randn(new Rng(5), 2, 4, 8);
    assertTrue(layer.forward(x).sub(layer.forward(x)).abs().max().item() > 0, "training passes should differ");
    layer.eval();
    Golden.assertClose("eval", layer.forward(x), layer.forward(x), 0, 0);
  }

  // ---------------------------------------------------------------- positions

  @Test
  void sinusoidalTableFollowsThePaper() {
    Tensor pe = PositionalEncoding.table(10, 4);
    assertEquals(0f, pe.get(0, 0));
    assertEquals(1f, pe.get(0, 1));
    assertEquals((float) Math.sin(1), pe.get(1, 0), 1e-7);
    assertEquals((float) Math.cos(1), pe.get(1, 1), 1e-7);
    assertEquals((float) Math.sin(3 / 100.0), pe.get(3, 2), 1e-7);   // 10000^(2/4) = 100
    assertEquals((float) Math.cos(7 / 100.0), pe.get(7, 3), 1e-7);
    PositionalEncoding enc = new PositionalEncoding(10);
    Tensor x = Tensor.randn(new Rng(1), 2, 6, 4).requiresGrad(true);
    Golden.assertClose("x + pe", x.add(pe.slice(0, 0, 6)), enc.forward(x), 0, 0);
    enc.forward(x).sum().backward();
    Golden.assertClose("gradient passes through", Tensor.ones(2, 6, 4), x.grad(), 0, 0);
    assertEquals(0, enc.parameterCount());
  }

  @Test
  void learnedPositionsAreAddedAndTrained() {
    PositionalEmbedding pos = new PositionalEmbedding(7);
    Tensor x = Tensor.randn(new Rng(2), 3, 5, 4);
    Tensor y = pos.forward(x);
    Tensor w = pos.namedParameters().get("weight");
    assertEquals("[7, 4]", Arrays.toString(w.shape()));
    Golden.assertClose("x + weight[:T]", x.add(w.slice(0, 0, 5).detach()), y, 0, 0);
    GradCheck.defaults().check(in -> pos.forward(x), w);
    pos.forward(Tensor.zeros(1, 7, 4));   // T = maxLen is fine
  }

  @Test
  void sequencesLongerThanMaxLenAreAnError() {
    assertMessage(IllegalArgumentException.class, () -> new PositionalEncoding(10).forward(Tensor.zeros(2, 12, 4)),
        "PositionalEncoding(maxLen=10): sequence length 12 exceeds maxLen=10", "maxLen >= 12");
    assertMessage(IllegalArgumentException.class, () -> new PositionalEmbedding(3).forward(Tensor.zeros(1, 4, 2)),
        "PositionalEmbedding(maxLen=3): sequence length 4 exceeds maxLen=3");
    assertMessage(IllegalArgumentException.class, () -> new PositionalEncoding(0), "maxLen (0) must be >= 1");
  }

  // ---------------------------------------------------------------- pooling over time

  @Test
  void globalAvgPool1DAveragesRealStepsOnly() {
    GlobalAvgPool1D pool = new GlobalAvgPool1D();
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2, 3, 2);
    Golden.assertClose("mean", Tensor.of(new float[] {3, 4, 9, 10}, 2, 2), pool.forward(x), 0, 0);
    Tensor mask = Tensor.of(new float[] {1, 1, 0, 0, 0, 0}, 2, 3);
    Golden.assertClose("masked mean", Tensor.of(new float[] {2, 3, 0, 0}, 2, 2), pool.forward(x, mask), 0, 0);
    GradCheck.defaults().check(in -> pool.forward(in[0], mask), Tensor.randn(new Rng(1), 2, 3, 2).requiresGrad(true));
    assertMessage(IllegalArgumentException.class, () -> pool.forward(x, Tensor.ones(2, 2)), "mask must be [N, T] = [2, 3]");
  }

  /** A stand-in mask source (until Embedding exists): steps whose first feature is 0 are padding. */
  static final class ZeroIsPadding extends Layer implements MaskSource {
    @Override
    protected int fixedTrailingAxes() {
      return 1;
    }

    @Override
    protected Tensor compute(Tensor x) {
      return x;
    }

    @Override
    public Tensor computeMask(Tensor x) {
      return x.slice(2, 0, 1).reshape(x.shape(0), x.shape(1)).ne(Tensor.scalar(0f));
    }
  }

  @Test
  void sequentialCarriesThePaddingMaskThroughTheEncoder() {
    Seeds.set(6);
    Sequential model = Sequential.of(new ZeroIsPadding(), new TransformerEncoderLayer(4, 2, 8).dropout(0f),
        new TransformerEncoderLayer(4, 2, 8).dropout(0f), new GlobalAvgPool1D(), new Dense(2));
    Rng rng = new Rng(6);
    float[] a = Tensor.uniform(rng, 0.5f, 1.5f, 1, 5, 4).data();
    float[] padded = Arrays.copyOf(a, 8 * 4);   // 3 padding steps of zeros
    Tensor shortOut = model.forward(Tensor.of(a, 1, 5, 4));
    Tensor longOut = model.forward(Tensor.of(padded, 1, 8, 4));
    Golden.assertClose("padding is invisible", shortOut, longOut, 1e-5, 1e-5);
  }

  // ---------------------------------------------------------------- end to end

  /** Token ids -> embedding + learned positions -> encoder -> mean over time -> logits. */
  static final class TinyClassifier extends Module {
    final Tensor emb;
    final PositionalEmbedding pos = child("pos", new PositionalEmbedding(8));
    final TransformerEncoderLayer enc = child("enc", new TransformerEncoderLayer(16, 2, 32).dropout(0f));
    final GlobalAvgPool1D pool = child("pool", new GlobalAvgPool1D());
    final Dense fc = child("fc", new Dense(2));

    TinyClassifier(Rng rng) {
      emb = param("emb", Tensor.randn(rng, 5, 16));
    }

    Tensor forward(int[] ids, int n, int t) {
      return fc.forward(pool.forward(enc.forward(pos.forward(emb.indexSelect(0, ids).reshape(n, t, 16)))));
    }

    @Override
    public Tensor forward(Tensor x) {
      throw new UnsupportedOperationException("use forward(ids, n, t)");
    }
  }

  @Test
  void aTinyTransformerLearnsWhichTokenIsMoreFrequent() {
    Seeds.set(7);
    Rng rng = new Rng(7);
    TinyClassifier model = new TinyClassifier(rng);
    int n = 32, t = 8;
    Adam adam = null;
    double first = 0, last = 0;
    int steps = 150;
    for (int step = 0; step < steps; step++) {
      int[] ids = new int[n * t];
      float[] labels = new float[n];
      for (int i = 0; i < n; i++) {
        int ones = 0, twos = 0;
        for (int j = 0; j < t; j++) {
          int id = 1 + rng.nextInt(4);
          ids[i * t + j] = id;
          if (id == 1) ones++;
          if (id == 2) twos++;
        }
        labels[i] = ones > twos ? 1 : 0;
      }
      Tensor loss = Functional.crossEntropy(model.forward(ids, n, t), Tensor.of(labels, n));
      if (adam == null) adam = new Adam(model.parameters(), 3e-3f);
      adam.zeroGrad();
      loss.backward();
      adam.step();
      if (step < 10) first += loss.item() / 10;
      if (step >= steps - 10) last += loss.item() / 10;
    }
    assertTrue(last < 0.5 * first && last < 0.35, "loss fell from " + first + " to " + last);
  }
}
