package org.neurite.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.neurite.tensor.Tensor;

/** What loading a state and building lazily leave behind: nothing but what they promise. */
class ModuleStateTest {
  private static Sequential net() {
    return Sequential.of(new Dense(4), new BatchNorm(), new Dropout(0.5f), new Dense(2));
  }

  // Failed before the fix: the tensors before the unexpected key had already been overwritten.
  @Test
  void aRejectedStateLeavesTheModelAsItWas() {
    Seeds.set(1);
    Sequential m = net().input(3);
    Map<String, Tensor> state = new LinkedHashMap<>();
    m.stateDict().forEach((k, v) -> state.put(k, Tensor.full(7f, v.shape())));
    state.put("layers.9.weight", Tensor.zeros(1));
    float[] before = m.stateDict().get("layers.0.weight").toArray();
    var e = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(state));
    assertTrue(e.getMessage().contains("unexpected tensor \"layers.9.weight\""), e.getMessage());
    assertArrayEquals(before, m.stateDict().get("layers.0.weight").toArray(), 0f);
  }

  // Failed before the fix: predict's lazy build ran the first sample through in training mode.
  @Test
  void aLazyBuildMovesNoStatisticsAndDrawsNoRandomNumbers() {
    Tensor x = Tensor.uniform(new org.neurite.tensor.Rng(3), 1, 2, 5, 3);
    Seeds.set(1);
    Sequential eager = net().input(3);
    Seeds.set(1);
    Sequential lazy = net();
    lazy.predict(x);
    assertArrayEquals(new float[4], lazy.stateDict().get("layers.1.running_mean").toArray(), 0f);
    assertArrayEquals(new float[] {1, 1, 1, 1}, lazy.stateDict().get("layers.1.running_var").toArray(), 0f);
    assertTrue(lazy.isTraining());
    // dropout's generator is where the eager model's is: the same training forward
    assertArrayEquals(eager.forward(x).toArray(), lazy.forward(x).toArray(), 0f);
  }

  /** A custom module that builds its child in forward, so building it means running it. */
  static final class Wrapper extends Module {
    private Sequential inner;

    @Override
    public Tensor forward(Tensor x) {
      if (inner == null) inner = child("inner", net());
      return inner.forward(x);
    }
  }

  @Test
  void aCustomModuleIsBuiltByOneForwardInEvaluationMode() {
    Tensor x = Tensor.uniform(new org.neurite.tensor.Rng(3), 1, 2, 5, 3);
    Wrapper w = new Wrapper();
    w.buildFrom(x);
    assertArrayEquals(new float[4], w.stateDict().get("inner.layers.1.running_mean").toArray(), 0f);
    assertTrue(w.isTraining() && w.children().get("inner").isTraining());
  }
}
