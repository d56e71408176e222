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

  // The lifetime is checked: a tensor read after its scope closed throws, naming the scope, instead of
  // returning whatever the next scope wrote into the recycled array. Before the generation stamps, item()
  // returned 2 here and then NaN once the pool was poisoned.
  @Test
  void readingATensorAfterItsScopeClosedThrowsNamingTheScope() {
    Workspace ws = new Workspace();
    Tensor t, view, small;
    try (var s = ws.enter("training step")) {
      t = Tensor.ones(BIG).mul(2f);
      view = t.reshape(BIG / 2, 2);
      small = Tensor.ones(8).mul(2f);
      assertEquals(2f, t.get(0));
    }
    for (Tensor stale : new Tensor[] {t, view}) {
      var e = assertThrows(IllegalStateException.class, stale::toArray);
      assertTrue(e.getMessage().contains("workspace scope \"training step\""), e.getMessage());
      assertThrows(IllegalStateException.class, stale::storage);
      assertThrows(IllegalStateException.class, () -> stale.get(new int[stale.rank()]));
      assertTrue(stale.toString().contains("released"), "printing a stale tensor does not throw");
    }
    assertEquals(2f, small.get(0), "arrays under MIN_FLOATS are never lent, so never stale");
  }

  @Test
  void aTensorWhoseArrayAutogradHandedBackEarlyIsStaleToo() {
    Workspace ws = new Workspace();
    try (var s = ws.enter()) {
      float[] a = Workspace.floats(BIG);
      Tensor t = Tensor.of(a, BIG);
      Workspace.recycle(a);
      var e = assertThrows(IllegalStateException.class, t::data);
      assertTrue(e.getMessage().contains("early hand-back"), e.getMessage());
      Tensor again = Tensor.of(Workspace.floats(BIG), BIG);
      assertSame(a, again.storage(), "the array is lent again, to a new tensor that may read it");
    }
  }

  // keep(loss) keeps the graph behind the loss: conv and ReLU outputs, max pooling's argmax. Before, it kept
  // only the loss's own (scalar) storage, and backward after the close read arrays the next scope had
  // overwritten (here: NaN from the poisoned pool).
  @Test
  void keepingALossKeepsWhatItsBackwardNeeds() {
    Tensor x = Tensor.randn(new Rng(7), 8, 3, 34, 34);
    Tensor y = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 8);
    List<Map<String, float[]>> grads = new ArrayList<>();
    for (boolean pooled : new boolean[] {false, true}) {
      Seeds.set(8);
      Sequential m = Sequential.of(new Conv2D(8, 3).relu(), new MaxPool2D(2), new Flatten(), new Dense(10)).input(3, 34, 34);
      Tensor loss;
      if (pooled) {
        Workspace ws = new Workspace();
        try (var s = ws.enter()) {
          loss = s.keep(Functional.crossEntropy(m.forward(x), y));
        }
        ws.poison();
        try (var s = ws.enter()) {   // a second step takes every pooled array and writes into it
          Functional.crossEntropy(m.forward(x.mul(-1f)), y);
        }
        ws.poison();
      } else {
        loss = Functional.crossEntropy(m.forward(x), y);
      }
      loss.backward();
      Map<String, float[]> g = new java.util.TreeMap<>();
      m.namedParameters().forEach((k, p) -> g.put(k, p.grad().toArray()));
      grads.add(g);
    }
    for (String k : grads.get(0).keySet()) assertArrayEquals(grads.get(0).get(k), grads.get(1).get(k), k);
  }

  // Attention's saved probabilities come from the workspace too; keep holds them with the graph.
  @Test
  void keepingAnAttentionOutputKeepsItsSavedProbabilities() {
    Tensor qkv = Tensor.randn(new Rng(9), 8, 64, 48);
    Tensor g = Tensor.randn(new Rng(10), 8, 64, 16);
    float[][] grads = new float[2][];
    for (int pooled = 0; pooled < 2; pooled++) {
      Tensor in = qkv.detach().requiresGrad(true), out;
      if (pooled == 1) {
        Workspace ws = new Workspace();
        try (var s = ws.enter()) {
          out = s.keep(org.neurite.ops.Attention.multiHeadSelf(in, 2, null, false, 0f, null, false).output());
        }
        ws.poison();
        try (var s = ws.enter()) {
          org.neurite.ops.Attention.multiHeadSelf(in.mul(-1f), 2, null, false, 0f, null, false).output().sum().backward();
        }
        in.zeroGrad();
        ws.poison();
      } else {
        out = org.neurite.ops.Attention.multiHeadSelf(in, 2, null, false, 0f, null, false).output();
      }
      out.backward(g);
      grads[pooled] = in.grad().toArray();
    }
    assertArrayEquals(grads[0], grads[1]);
  }
}
