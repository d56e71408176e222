package org.neurite.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.neurite.tensor.Tensor;

/**
 * A padding mask travels until a layer says its output has no time axis (Module.keepsTimeAxis), not
 * while axis 1 happens to have the mask's length. Before, Sequential (and the trainer's copy of its
 * loop) kept a mask on any output whose axis 1 equalled the sequence length and dropped it otherwise.
 */
class MaskTravelTest {
  /** [N, T, D] to [N, D, T]: the time axis moves to the end, so the mask no longer describes axis 1. */
  private static final class SwapAxes extends Module {
    private final boolean says;

    SwapAxes(boolean says) {
      this.says = says;
    }

    @Override
    protected int[] build(int[] in) {
      return new int[] {in[1], in[0]};
    }

    @Override
    public Tensor forward(Tensor x) {
      ensureBuilt(x);
      return x.transpose(1, 2).contiguous();
    }

    @Override
    public boolean keepsTimeAxis() {
      return !says;
    }
  }

  private static final Tensor IDS = Tensor.of(new float[] {3, 5, 0, 0}, 1, 4);   // two real steps, two padded

  @Test
  void aMaskStopsWhereTheTimeAxisEndsEvenWhenTheNextAxisHasTheSameLength() {
    Seeds.set(3);
    Embedding emb = new Embedding(8, 4).paddingIdx(0);   // D = 4 = T: axis 1 keeps the mask's length after the swap
    Sequential m = Sequential.of(emb, new SwapAxes(true), new GlobalAvgPool1D());
    float[] got = m.forward(IDS).toArray();
    float[] plain = emb.forward(IDS).transpose(1, 2).contiguous().mean(false, 1).toArray();   // no mask: every position
    assertArrayEquals(plain, got, 1e-6f, "the swapped axis is not time: averaged over all of it, not masked");
  }

  @Test
  void aLayerThatMovesTheTimeAxisWithoutSayingSoIsAnErrorNotASilentlyUnmaskedRun() {
    Seeds.set(3);
    Sequential m = Sequential.of(new Embedding(8, 3).paddingIdx(0), new SwapAxes(false), new GlobalAvgPool1D());
    var e = assertThrows(IllegalArgumentException.class, () -> m.forward(IDS));
    assertTrue(e.getMessage().contains("keepsTimeAxis"), e.getMessage());
  }
}
