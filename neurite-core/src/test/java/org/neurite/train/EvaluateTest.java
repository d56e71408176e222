package org.neurite.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.neurite.nn.Dense;
import org.neurite.nn.Module;
import org.neurite.nn.Sequential;
import org.neurite.optim.SGD;
import org.neurite.tensor.Tensor;

/** evaluate and val_loss: the training loss's formula, and evaluation mode held as predict holds it. */
class EvaluateTest {
  private static final Tensor X = Tensor.of(new float[] {1, 0, 0, 1}, 2, 2), Y = Tensor.of(new float[] {0, 1}, 2);

  /** Sample 0 scores its label 200 below another class: -log p = 200, where a clipped probability gives about 16.1. */
  private static Sequential confidentlyWrong() {
    Sequential m = Sequential.of(new Dense(3).softmax()).input(2);
    float[] w = m.stateDict().get("layers.0.weight").storage();
    java.util.Arrays.fill(w, 0f);
    w[0] = -100;   // class 0 from x0
    w[2] = 100;    // class 1 from x0
    w[3] = 5;      // class 1 from x1: sample 1 is right
    java.util.Arrays.fill(m.stateDict().get("layers.0.bias").storage(), 0f);
    return m;
  }

  @Test
  void valLossIsTheTrainingLossOfTheSameBatchEvenForAHugeLogitMargin() {
    Sequential m = confidentlyWrong();
    m.compile(new SGD(1e-12f), Losses.sparseCategoricalCrossentropy());
    m.eval();
    double train = Losses.sparseCategoricalCrossentropy().compute(m.forward(X), Y).item();
    m.train(true);
    assertTrue(train > 90, "the logits path: " + train);
    assertEquals(train, m.evaluate(X, Y).get("loss"), 1e-4 * train);
    History h = m.fit(X, Y, Fit.epochs(1).batchSize(2).shuffle(false).verbose(false).validationData(new TensorDataset(X, Y)));
    assertEquals(h.get("loss")[0], h.get("val_loss")[0], 1e-4 * train, "val_loss on the training data is its loss");
  }

  /** Records the model's mode at each forward; at the first, lets a prediction that began before the evaluation end. */
  private static final class Probe extends Module {
    final List<Boolean> training = new ArrayList<>();
    Runnable atFirst;
    Module model;

    @Override
    public Tensor forward(Tensor x) {
      ensureBuilt(x);
      if (atFirst != null) {
        atFirst.run();
        atFirst = null;
      }
      training.add(model.isTraining());
      return x;
    }
  }

  @Test
  void aPredictionEndingDuringAnEvaluationLeavesItInEvaluationModeAndTheModelAsItWas() throws Exception {
    Probe probe = new Probe();
    Sequential m = Sequential.of(probe, new Dense(2)).input(2);
    probe.model = m;
    m.compile(new SGD(1e-12f), Losses.sparseCategoricalCrossentropy(true));
    var begun = new CountDownLatch(1);
    var end = new CountDownLatch(1);
    Thread predicting = new Thread(() -> {   // what a predict on another thread holds while it runs
      try (var scope = Trainer.inference(m)) {
        begun.countDown();
        end.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    predicting.start();
    begun.await();
    probe.atFirst = () -> {
      end.countDown();
      try {
        predicting.join();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    };
    Trainer.of(m).evaluate(new TensorDataset(X, Y), 1);
    assertEquals(List.of(false, false), probe.training, "every batch evaluated in evaluation mode");
    assertTrue(m.isTraining(), "the model was training before both: it is again");
  }
}
