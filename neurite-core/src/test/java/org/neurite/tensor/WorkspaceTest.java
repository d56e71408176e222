package org.neurite.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.neurite.autograd.GradMode;
import org.neurite.nn.Conv2D;
import org.neurite.nn.Dense;
import org.neurite.nn.Flatten;
import org.neurite.nn.MaxPool2D;
import org.neurite.nn.Seeds;
import org.neurite.nn.Sequential;
import org.neurite.ops.Functional;
import org.neurite.optim.Adam;

/** Recycled arrays: what is lent and when it comes back, and that training through a workspace changes nothing. */
class WorkspaceTest {
  private static final int BIG = Workspace.MIN_FLOATS;

  @Test
  void aScopeLendsLargeArraysAndTheNextScopeGetsThemBack() {
    Workspace ws = new Workspace();
    float[] first, small;
    try (var s = ws.enter()) {
      first = Workspace.floats(BIG);
      small = Workspace.floats(BIG - 1);
      assertTrue(Workspace.isLent(first));
      assertTrue(!Workspace.isLent(small), "arrays under MIN_FLOATS come from the allocator");
      assertNotSame(first, Workspace.floats(BIG), "an array is lent once per scope");
    }
    assertEquals(2L * BIG, ws.pooledFloats());
    try (var s = ws.enter()) {
      float[] again = Workspace.floats(BIG);
      assertTrue(again == first || ws.pooledFloats() == BIG, "a pooled array is reused");
    }
    assertTrue(!Workspace.isLent(first), "outside any scope nothing is lent");
    float[] plain = Workspace.floats(BIG);
    for (float v : plain) assertEquals(0f, v);
  }

  @Test
  void keptTensorsOutliveTheScopeAndUnusedSizesAreDropped() {
    Workspace ws = new Workspace();
    Tensor kept;
    try (var s = ws.enter()) {
      kept = s.keep(Tensor.ones(BIG).mul(3f));
      Tensor.ones(BIG).mul(2f);
      Workspace.ints(BIG);
    }
    assertEquals(2L * BIG, ws.pooledFloats(), "the kept array is not pooled; the other float and the int array are");
    try (var s = ws.enter()) {
      Tensor t = Tensor.ones(BIG).mul(5f);
      assertNotSame(kept.storage(), t.storage());
      Workspace.floats(2 * BIG);
    }
    assertEquals(3L * BIG, ws.pooledFloats(), "the int array's size was not asked for and is dropped");
    for (float v : kept.toArray()) assertEquals(3f, v);
  }

  @Test
  void scopesCloseInOrderOnTheirThread() throws Exception {
    Workspace ws = new Workspace();
    var outer = ws.enter();
    var inner = ws.enter();
    assertThrows(IllegalStateException.class, outer::close);
    inner.close();
    Thread t = new Thread(() -> assertThrows(IllegalStateException.class, outer::close));
    t.start();
    t.join();
    outer.close();
  }

  // The gradient passed to backward() is the caller's: a ReLU must not mask it in place.
  @Test
  void theCallersGradientIsNeverOverwritten() {
    Workspace ws = new Workspace();
    Tensor x = Tensor.randn(new Rng(1), BIG).requiresGrad(true);
    Tensor g = Tensor.randn(new Rng(2), BIG);
    float[] before = g.toArray();
    try (var s = ws.enter()) {
      x.mul(2f).relu().backward(g);
    }
    assertArrayEquals(before, g.toArray());
    float[] xs = x.toArray(), gs = x.grad().toArray();
    for (int i = 0; i < xs.length; i++) assertEquals(xs[i] > 0 ? 2f * before[i] : 0f, gs[i], 1e-6f);
  }

  // A small seed CNN trained for a few Adam steps: through a workspace whose pooled arrays are
  // overwritten with NaN between steps, and without one; the weights must come out bit for bit the same.
  // The batch makes the convolutions' outputs and gradients, the pooling argmax and the Dense weight
  // gradient large enough to be pooled.
  @Test
  void trainingThroughAPoisonedWorkspaceEqualsTrainingWithout() {
    Tensor x = Tensor.randn(new Rng(3), 16, 3, 34, 34);
    float[] labels = new float[16];
    for (int i = 0; i < 16; i++) labels[i] = i % 10;
    Tensor y = Tensor.of(labels, 16);
    List<Map<String, Tensor>> results = new ArrayList<>();
    for (boolean pooled : new boolean[] {false, true}) {
      Seeds.set(5);
      Sequential m = Sequential.of(new Conv2D(8, 3).relu(), new MaxPool2D(2), new Conv2D(16, 3).relu(), new MaxPool2D(2),
          new Flatten(), new Dense(64).relu(), new Dense(10)).input(3, 34, 34);
      Adam adam = new Adam(m.parameters(), 1e-2f);
      Workspace ws = new Workspace();
      float[] gradArray = null;
      for (int step = 0; step < 4; step++) {
        adam.zeroGrad();
        if (pooled) {
          ws.poison();
          try (var s = ws.enter()) {
            Functional.crossEntropy(m.forward(x), y).backward();
          }
        } else {
          Functional.crossEntropy(m.forward(x), y).backward();
        }
        Tensor w = m.namedParameters().get("layers.5.weight");
        if (step > 0) assertSame(gradArray, w.grad().storage(), "the Dense weight's gradient reuses its array");
        gradArray = w.grad().storage();
        adam.step();
      }
      if (pooled) assertTrue(ws.pooledFloats() > 0, "something was pooled");
      results.add(m.stateDict());
    }
    for (String k : results.get(0).keySet())
      assertArrayEquals(results.get(0).get(k).toArray(), results.get(1).get(k).toArray(), k);
  }

  @Test
  void inferenceInAScopeMatchesInferenceWithout() {
    Seeds.set(6);
    Sequential m = Sequential.of(new Conv2D(8, 3).relu(), new MaxPool2D(2), new Flatten(), new Dense(10)).input(3, 40, 40);
    Tensor x = Tensor.randn(new Rng(4), 8, 3, 40, 40);
    Workspace ws = new Workspace();
    try (var g = GradMode.off()) {
      float[] plain = m.forward(x).toArray();
      for (int i = 0; i < 3; i++) {
        ws.poison();
        try (var s = ws.enter()) {
          assertArrayEquals(plain, m.forward(x).toArray());
        }
      }
    }
  }
}
