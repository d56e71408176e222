package org.neurite.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.neurite.testing.Errors.assertMessage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.neurite.autograd.GradCheck;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.testing.Golden;

/**
 * The Transformer decoder layer against nn.TransformerDecoderLayer (post-norm, post-norm with padding,
 * pre-norm GELU with padding; causal self-attention), a finite-difference gradient check, incremental
 * decoding against the full pass, PyTorch's state_dict names, and its errors.
 * Fixtures: tools/fixtures/make_decoder_fixtures.py.
 */
class TransformerDecoderLayerTest {
  private static final Golden.Fixture FIX = Golden.load("org/neurite/nn/transformer_decoder.safetensors");
  private static final double ATOL = 5e-5, RTOL = 2e-4;   // three norms and four products deep

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"decoder_post", "decoder_post_padding", "decoder_pre_gelu_padding"})
  void decoderLayerMatchesPyTorch(String name) {
    Golden.Case c = FIX.get(name);
    TransformerDecoderLayer layer = new TransformerDecoderLayer(16, 4, 32).dropout(0f);
    if (name.contains("pre")) layer.normFirst(true).gelu();
    AttentionTest.load(layer, c);
    Tensor tgt = c.input("tgt"), memory = c.input("memory");
    Tensor tm = c.has("tgt_mask") ? c.tensor("tgt_mask") : null, mm = c.has("memory_mask") ? c.tensor("memory_mask") : null;
    Tensor out = layer.forward(tgt, memory, tm, mm);
    c.checkForward(out, ATOL, RTOL);
    out.backward(c.expected("u"));
    Golden.assertClose(name + " grad_tgt", c.expected("grad_tgt"), tgt.grad(), ATOL, RTOL);
    Golden.assertClose(name + " grad_memory", c.expected("grad_memory"), memory.grad(), ATOL, RTOL);
    for (var e : layer.namedParameters().entrySet())
      Golden.assertClose(name + " grad_" + e.getKey(), c.expected("grad_" + e.getKey()), e.getValue().grad(), ATOL, RTOL);
  }

  @ParameterizedTest(name = "normFirst={0}")
  @ValueSource(booleans = {false, true})
  void gradCheck(boolean normFirst) {
    Seeds.set(11);
    TransformerDecoderLayer layer = new TransformerDecoderLayer(4, 2, 6).dropout(0f).normFirst(normFirst);
    Rng rng = new Rng(11);
    Tensor tgt = Tensor.randn(rng, 2, 3, 4).requiresGrad(true), memory = Tensor.randn(rng, 2, 4, 4).requiresGrad(true);
    Tensor tm = Tensor.of(new float[] {1, 1, 1, 1, 1, 0}, 2, 3), mm = Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 0, 0}, 2, 4);
    var params = layer.parameters();
    Tensor[] all = new Tensor[params.size() + 2];
    all[0] = tgt;
    all[1] = memory;
    for (int i = 0; i < params.size(); i++) all[i + 2] = params.get(i);
    GradCheck.defaults().check(in -> layer.forward(in[0], in[1], tm, mm), all);
  }

  @ParameterizedTest(name = "normFirst={0}")
  @ValueSource(booleans = {false, true})
  void incrementalStepsEqualTheFullPass(boolean normFirst) {
    Seeds.set(12);
    TransformerDecoderLayer layer = new TransformerDecoderLayer(8, 2, 16).normFirst(normFirst);
    layer.eval();
    Rng rng = new Rng(12);
    Tensor tgt = Tensor.randn(rng, 3, 5, 8), memory = Tensor.randn(rng, 3, 4, 8);
    Tensor mm = Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0}, 3, 4);
    Tensor full = layer.forward(tgt, memory, null, mm);
    Tensor cache = null;
    for (int t = 0; t < 5; t++) {
      TransformerDecoderLayer.Step s = layer.step(tgt.slice(1, t, t + 1), cache, memory, mm, true);
      cache = s.cache();
      assertEquals("[3, " + (t + 1) + ", 8]", java.util.Arrays.toString(cache.shape()));
      Golden.assertClose("position " + t, full.slice(1, t, t + 1).contiguous(), s.output(), 1e-5, 1e-5);
      assertEquals(0f, s.crossWeights().get(2, 1), "padded memory gets no weight");
    }
  }

  @Test
  void stateDictHasPyTorchsNamesAndCount() {
    TransformerDecoderLayer layer = new TransformerDecoderLayer(64, 4, 256);
    assertEquals("[self_attn.in_proj_weight, self_attn.in_proj_bias, self_attn.out_proj.weight, self_attn.out_proj.bias, "
        + "multihead_attn.in_proj_weight, multihead_attn.in_proj_bias, multihead_attn.out_proj.weight, multihead_attn.out_proj.bias, "
        + "linear1.weight, linear1.bias, linear2.weight, linear2.bias, norm1.weight, norm1.bias, norm2.weight, norm2.bias, "
        + "norm3.weight, norm3.bias]", layer.stateDict().keySet().toString());
    assertEquals(66_752, layer.parameterCount());   // PyTorch's count for d 64, 4 heads, ff 256
    assertEquals("TransformerDecoderLayer(64, heads=4, ff=256)", layer.toString());
    assertEquals("TransformerDecoderLayer(8, heads=2, ff=16, dropout=0.0, normFirst=true, activation=gelu)",
        new TransformerDecoderLayer(8, 2, 16).dropout(0f).normFirst(true).gelu().toString());
  }

  @Test
  void errorsNameTheShapes() {
    TransformerDecoderLayer layer = new TransformerDecoderLayer(8, 2, 16);
    assertMessage(IllegalArgumentException.class, () -> layer.forward(Tensor.zeros(2, 3, 8), Tensor.zeros(2, 4, 6), null, null),
        "expected memory [N, T, 8], got [2, 4, 6]");
    assertMessage(IllegalArgumentException.class, () -> layer.forward(Tensor.zeros(2, 3, 8), Tensor.zeros(3, 4, 8), null, null),
        "need the same N");
    assertMessage(IllegalArgumentException.class, () -> layer.step(Tensor.zeros(2, 2, 8), null, Tensor.zeros(2, 4, 8), null, false),
        "step takes one position");
    assertMessage(UnsupportedOperationException.class, () -> layer.forward(Tensor.zeros(2, 3, 8)), "needs the encoder output");
    assertMessage(IllegalArgumentException.class, () -> new TransformerDecoderLayer(8, 3, 16), "must be divisible by heads");
  }
}
