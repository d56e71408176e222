package org.neurite.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.autograd.GradCheck;
import org.neurite.io.ModelFiles;
import org.neurite.optim.Adam;
import org.neurite.optim.SGD;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.train.Fit;
import org.neurite.train.Losses;
import org.neurite.train.Metrics;

/** Freezing, per-group learning rates, head replacement and the Residual layer that the model zoo stands on. */
class FineTuningTest {
  private static Sequential small() {
    Seeds.set(3);
    Sequential body = Sequential.of(new Conv2D(4, 3).padding(1).useBias(false), new BatchNorm(), new ActivationLayer(Activation.RELU),
        new Conv2D(4, 3).padding(1).useBias(false), new BatchNorm());
    return Sequential.of(new Conv2D(4, 3).padding(1), new BatchNorm(), new Residual(body).relu(), new GlobalAvgPool2D(),
        new Dense(3).softmax()).input(2, 6, 6);
  }

  private static Tensor[] data() {
    Rng rng = new Rng(7);
    Tensor x = Tensor.randn(rng, 16, 2, 6, 6);
    float[] y = new float[16];
    for (int i = 0; i < 16; i++) y[i] = i % 3;
    return new Tensor[] {x, Tensor.of(y, 16)};
  }

  @Test
  void frozenParametersAndBatchNormStatisticsStayPut() {
    Sequential m = small();
    m.freeze("layers.0", "layers.1", "layers.2");
    assertEquals(List.of("layers.4.weight", "layers.4.bias"), List.copyOf(m.trainableParameters().keySet()));
    var before = m.stateDict();
    float[][] copies = before.values().stream().map(Tensor::toArray).toArray(float[][]::new);
    m.compile(new Adam(0.01f), Losses.sparseCategoricalCrossentropy(), Metrics.accuracy());
    Tensor[] d = data();
    m.fit(d[0], d[1], Fit.epochs(2).batchSize(4).verbose(false));
    int i = 0;
    for (var e : before.entrySet()) {
      boolean head = e.getKey().startsWith("layers.4.");
      boolean changed = !java.util.Arrays.equals(copies[i++], e.getValue().toArray());
      assertEquals(head, changed, e.getKey() + (head ? " should train" : " should stay frozen"));
    }
    assertNull(m.namedParameters().get("layers.0.weight").grad(), "no gradient is computed for a frozen parameter");
  }

  @Test
  void aFrozenBatchNormNormalisesWithItsRunningStatisticsInTraining() {
    Sequential m = small();
    var bn = (BatchNorm) m.layers().get(1);
    bn.stateDict().get("running_mean").storage()[0] = 0.3f;
    Tensor x = data()[0];
    m.freeze("layers.1");
    assertTrue(bn.isFrozen());
    m.train(true);
    Tensor trained = bn.forward(m.layers().get(0).forward(x));
    m.eval();
    Tensor evaluated = bn.forward(m.layers().get(0).forward(x));
    assertArrayEquals(evaluated.data(), trained.data(), 0f);
    assertEquals(0.3f, bn.stateDict().get("running_mean").data()[0]);
    assertEquals(0f, bn.stateDict().get("num_batches_tracked").item());
    m.unfreeze("layers.1");
    assertFalse(bn.isFrozen());
  }

  @Test
  void prefixesMatchWholeNamesAndAMisspeltOneIsAnError() {
    Sequential m = Sequential.of(new Dense(2), new Dense(2), new Dense(2), new Dense(2), new Dense(2), new Dense(2), new Dense(2),
        new Dense(2), new Dense(2), new Dense(2), new Dense(2)).input(3);
    m.freeze("layers.1");
    assertFalse(m.namedParameters().get("layers.1.weight").requiresGrad());
    assertTrue(m.namedParameters().get("layers.10.weight").requiresGrad(), "layers.1 must not match layers.10");
    m.freeze("layers.10.");
    assertFalse(m.namedParameters().get("layers.10.bias").requiresGrad());
    var e = assertThrows(IllegalArgumentException.class, () -> m.freeze("layer.2"));
    assertTrue(e.getMessage().contains("no parameter is named \"layer.2\"") && e.getMessage().contains("layers.0, layers.1"),
        e.getMessage());
    m.unfreeze();
    assertEquals(22, m.trainableParameters().size());
    m.freeze();
    assertEquals(0, m.trainableParameters().size());
  }

  @Test
  void aGroupLearningRateScalesItsUpdatesAndFollowsTheSchedule() {
    Tensor a = Tensor.of(new float[] {1f, 1f}, 2).requiresGrad(true), b = Tensor.of(new float[] {1f, 1f}, 2).requiresGrad(true);
    SGD sgd = new SGD(List.of(a, b), 0.1f);
    sgd.learningRate(List.of(b), 0.01f);
    a.add(b).sum().backward();
    sgd.step();
    assertEquals(1 - 0.1f, a.data()[0], 1e-7);
    assertEquals(1 - 0.01f, b.data()[0], 1e-7);
    sgd.setLearningRate(0.05f);   // a schedule halves the base rate: the group's rate halves too
    assertEquals(0.005f, sgd.learningRate(b), 1e-9);
    assertEquals(0.05f, sgd.learningRate(a), 1e-9);
  }

  @Test
  void aNewHeadKeepsTheBackboneAndTrainsForTheNewClasses() {
    Sequential m = small();
    Sequential five = m.withNewHead(5);
    assertArrayEquals(new int[] {5}, five.outputShape());
    assertSame(m.layers().get(0), five.layers().get(0));
    assertEquals(Activation.SOFTMAX, ((Dense) five.layers().get(4)).activation());
    assertNotEquals(m.layers().get(4), five.layers().get(4));
    var e = assertThrows(IllegalArgumentException.class, () -> Sequential.of(new Flatten()).input(2, 2).withNewHead(3));
    assertTrue(e.getMessage().contains("no Dense layer"), e.getMessage());
  }

  // ---------------------------------------------------------------- Residual

  @Test
  void residualGradientsMatchFiniteDifferences() {
    Seeds.set(11);
    Residual r = new Residual(Sequential.of(new Dense(3).activation(Activation.TANH), new Dense(3)),
        Sequential.of(new Dense(3, false))).relu();
    Sequential m = Sequential.of(r).input(4);
    Tensor x = Tensor.randn(new Rng(2), 5, 4).requiresGrad(true);
    var p = m.namedParameters();
    GradCheck.defaults().check(in -> m.forward(in[0]), x);
    Tensor w = p.get("layers.0.body.layers.0.weight");
    GradCheck.defaults().check(in -> m.forward(x.detach()), w);
    GradCheck.defaults().check(in -> m.forward(x.detach()), p.get("layers.0.shortcut.layers.0.weight"));
  }

  @Test
  void residualShapesMustAgree() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> Sequential.of(new Residual(Sequential.of(new Dense(5)))).input(4));
    assertTrue(e.getMessage().contains("the body gives [5] per sample but the identity shortcut passes [4]"), e.getMessage());
  }

  @Test
  void residualNetworksSaveAndLoad(@TempDir Path dir) throws Exception {
    Sequential m = small();
    m.namedParameters().get("layers.2.body.layers.1.weight").storage()[0] = 3f;
    ModelFiles.save(m, dir.resolve("m"));
    Sequential back = ModelFiles.load(dir.resolve("m"));
    Tensor x = data()[0];
    assertArrayEquals(m.predict(x).data(), back.predict(x).data(), 0f);
    // The estimate follows the nested body and counts each BatchNorm's buffers too: two running statistics of 4
    // channels and the batch counter, 3 times (a shape-only build counts every array the build allocates).
    assertEquals(m.parameterCount() + 3 * (2 * 4 + 1), ModelFiles.estimateParameters(ModelFiles.config(m)));
  }
}
