package org.neurite.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.neurite.testing.Errors.assertMessage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.nn.Dense;
import org.neurite.nn.Module;
import org.neurite.nn.Seeds;
import org.neurite.nn.Sequential;
import org.neurite.optim.Optimizer;
import org.neurite.optim.Optimizers;
import org.neurite.optim.ReduceLROnPlateau;
import org.neurite.optim.Schedule;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * The callbacks in a real {@code fit} of a one-layer linear regression: early stopping (when, and
 * which weights it leaves), learning-rate schedules and reduce-on-plateau (the "lr" logged per epoch)
 * and the CSV log (rows, resuming, locale-free numbers; surefire runs these tests under hi-IN). Where a
 * test needs a given sequence of monitored values, a scripting callback placed first writes them into
 * the epoch's logs.
 */
class CallbacksTest {
  private static final int N = 64;

  private static Module model(Optimizer opt) {
    Seeds.set(3);
    Module m = Sequential.of(new Dense(1)).input(3);
    return m.compile(opt, Losses.meanSquaredError());
  }

  /** y = x . [1.5, -2, 0.5] + 0.3 + small noise; x: [N, 3], y: [N, 1]. */
  private static Tensor[] data(long seed) {
    Rng rng = new Rng(seed);
    Tensor x = Tensor.randn(rng, N, 3);
    float[] xs = x.toArray(), y = new float[N];
    Tensor noise = Tensor.randn(rng, N);
    for (int i = 0; i < N; i++) y[i] = 1.5f * xs[3 * i] - 2f * xs[3 * i + 1] + 0.5f * xs[3 * i + 2] + 0.3f + 0.1f * noise.get(i);
    return new Tensor[] {x, Tensor.of(y, N, 1)};
  }

  private static Fit fit(int epochs) {
    Tensor[] val = data(2);
    return Fit.epochs(epochs).batchSize(16).verbose(false).validationData(new TensorDataset(val[0], val[1]));
  }

  /** Overwrites {@code key} in each epoch's logs with a scripted value and snapshots the weights after each epoch. */
  private static final class Script implements Callback {
    final String key;
    final double[] values;
    final List<float[]> weights = new ArrayList<>();

    Script(String key, double... values) {
      this.key = key;
      this.values = values;
    }

    @Override
    public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
      logs.put(key, values[epoch]);
      weights.add(trainer.model().parameters().get(0).toArray());
    }
  }

  private static History run(Module m, Fit f) {
    Tensor[] d = data(1);
    return m.fit(d[0], d[1], f);
  }

  @Test
  void earlyStoppingStopsAfterPatienceEpochsAndRestoresTheBestWeights() {
    Module m = model(Optimizers.sgd(0.05));
    Script s = new Script("val_loss", 1.0, 0.8, 0.9, 0.85, 0.95, 0.5, 0.4, 0.3);
    EarlyStopping es = Callbacks.earlyStopping("val_loss", 2, true);
    History h = run(m, fit(8).callbacks(s, es));
    assertEquals(4, h.epochs().size());   // best at epoch 1, no improvement at 2 and 3: stop after 3
    assertEquals(1, es.bestEpoch());
    assertEquals(3, es.stoppedEpoch());
    assertArrayEquals(s.weights.get(1), m.parameters().get(0).toArray());
  }

  @Test
  void withoutRestoringTheLastWeightsStay() {
    Module m = model(Optimizers.sgd(0.05));
    Script s = new Script("val_loss", 1.0, 0.8, 0.9, 0.85, 0.95);
    run(m, fit(5).callbacks(s, Callbacks.earlyStopping("val_loss", 2)));
    assertArrayEquals(s.weights.get(3), m.parameters().get(0).toArray());
  }

  @Test
  void minDeltaAndPatienceZero() {
    Script s = new Script("val_loss", 1.0, 0.95, 0.5, 0.4);
    EarlyStopping es = new EarlyStopping("val_loss").minDelta(0.1);
    History h = run(model(Optimizers.sgd(0.05)), fit(4).callbacks(s, es));
    assertEquals(2, h.epochs().size());   // 0.95 is not 0.1 below 1.0
    assertEquals(0, es.bestEpoch());
  }

  @Test
  void autoModeMaximisesAccuracies() {
    Script s = new Script("val_accuracy", 0.5, 0.6, 0.7, 0.65, 0.66, 0.9);
    History h = run(model(Optimizers.sgd(0.05)), fit(6).callbacks(s, Callbacks.earlyStopping("val_accuracy", 2)));
    assertEquals(5, h.epochs().size());   // best at 2, stop after 4 (minimising would stop after 2)
    Script min = new Script("val_accuracy", 0.5, 0.6, 0.7, 0.65, 0.66, 0.9);
    h = run(model(Optimizers.sgd(0.05)), fit(6).callbacks(min, new EarlyStopping("val_accuracy").patience(2).mode(EarlyStopping.Mode.MIN)));
    assertEquals(3, h.epochs().size());
  }

  @Test
  void restoredWeightsReproduceTheBestValidationLoss() {
    Module m = model(Optimizers.sgd(0.1, 0.9, false));
    EarlyStopping es = new EarlyStopping("val_loss").minDelta(1e-3).patience(3).restoreBestWeights(true);
    History h = run(m, fit(60).callbacks(es));
    assertTrue(es.stoppedEpoch() > 0 && h.epochs().size() < 60, "stopped at " + es.stoppedEpoch());
    Tensor[] val = data(2);   // evaluated in fit's batches of 16, so the sums add up in the same order
    assertEquals(h.get("val_loss")[es.bestEpoch()], Trainer.of(m).evaluate(new TensorDataset(val[0], val[1]), 16).get("loss"));
  }

  @Test
  void aMissingMonitorIsAnError() {
    Module m = model(Optimizers.sgd(0.05));
    Tensor[] d = data(1);
    assertMessage(IllegalStateException.class,
        () -> m.fit(d[0], d[1], Fit.epochs(2).verbose(false).callbacks(Callbacks.earlyStopping("val_loss", 1))),
        "EarlyStopping: monitor \"val_loss\" is not in the epoch's logs [loss, lr]; pass validation data to fit");
    assertMessage(IllegalStateException.class,
        () -> m.fit(d[0], d[1], Fit.epochs(2).verbose(false).callbacks(Callbacks.reduceLrOnPlateau("val_acc", 0.5, 1))),
        "ReduceLROnPlateau: monitor \"val_acc\" is not in the epoch's logs");
  }

  @Test
  void scheduleSetsTheRateOfEachEpochAndResumesFromTheBase() {
    Module m = model(Optimizers.sgd(0.1));
    LearningRateScheduler lrs = Callbacks.learningRateScheduler(Schedule.step(2, 0.5));
    History h = run(m, fit(6).callbacks(lrs));
    assertArrayEquals(new double[] {0.1f, 0.1f, 0.05f, 0.05f, 0.025f, 0.025f}, h.get("lr"), 1e-9);
    h = run(m, fit(8).initialEpoch(6).callbacks(lrs));
    assertArrayEquals(new double[] {0.0125f, 0.0125f}, h.get("lr"), 1e-9);
  }

  @Test
  void cosineDecayWarmsUpThenDecaysEveryStepAndResumes() {
    CosineDecay c = new CosineDecay(2, 0.25);   // 2 epochs of 4 steps: 2 warm-up steps, 6 of cosine
    double[] want = new double[8];
    for (int s = 0; s < 8; s++) want[s] = s < 2 ? 0.1 * (s + 1) / 2 : 0.1 * (1 + Math.cos(Math.PI * (s - 2) / 6)) / 2;
    for (int s = 0; s < 8; s++) assertEquals(want[s], c.lr(s, 8, 0.1), 1e-12);
    Module m = model(Optimizers.sgd(0.1));
    List<Double> seen = new ArrayList<>();
    Callback spy = new Callback() {
      @Override
      public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
        seen.add((double) t.optimizer().learningRate());
      }
    };
    History h = run(m, fit(1).callbacks(c, spy));   // after epoch 0 the rate is step 3's
    assertEquals((float) want[3], seen.get(0), 1e-9);
    run(m, fit(2).initialEpoch(1).callbacks(c, spy));   // the resumed epoch continues the curve from the same base
    assertEquals((float) want[7], seen.get(1), 1e-9);
    assertEquals(seen.get(0), h.get("lr")[0], 1e-9);
    List<Double> resumed = new ArrayList<>();
    Module r = model(Optimizers.sgd(0.001));   // as restored from a checkpoint: at its last, decayed rate
    run(r, fit(2).initialEpoch(1).callbacks(new CosineDecay(2, 0.25, 0.1), new Callback() {
      @Override
      public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
        resumed.add((double) t.optimizer().learningRate());
      }
    }));
    assertEquals((float) want[7], resumed.get(0), 1e-9);
    assertMessage(IllegalArgumentException.class, () -> new CosineDecay(0, 0.1), "CosineDecay: epochs (0) must be >= 1");
    assertMessage(IllegalArgumentException.class, () -> new CosineDecay(3, 1), "CosineDecay: warmup (1.0) must be in [0, 1)");
  }

  @Test
  void plateauLowersTheRateOfLaterEpochs() {
    Module m = model(Optimizers.adam(0.1));
    Script s = new Script("val_loss", 1, 1, 1, 1, 1, 1);
    History h = run(m, fit(6).callbacks(s, Callbacks.reduceLrOnPlateau("val_loss", 0.5, 1)));
    assertArrayEquals(new double[] {0.1f, 0.1f, 0.1f, 0.05f, 0.05f, 0.025f}, h.get("lr"), 1e-9);
    assertMessage(IllegalArgumentException.class, () -> Callbacks.reduceLrOnPlateau("val_loss", 2, 1),
        "ReduceLROnPlateau: factor (2.0) must be in (0, 1)");
  }

  @Test
  void plateauInMaxModeUsesTheRule() {
    Module m = model(Optimizers.sgd(0.1));
    Script s = new Script("val_accuracy", 0.5, 0.6, 0.6, 0.6, 0.6);
    ReduceLROnPlateau rule = new ReduceLROnPlateau("val_accuracy").mode(ReduceLROnPlateau.Mode.MAX).patience(1).factor(0.1);
    History h = run(m, fit(5).callbacks(s, Callbacks.reduceLrOnPlateau(rule)));
    assertArrayEquals(new double[] {0.1f, 0.1f, 0.1f, 0.1f, 0.01}, h.get("lr"), 1e-9);   // best at 1, bad 2 and 3
    assertEquals(0.6, rule.best(), 1e-12);
  }

  @Test
  void csvLoggerWritesOneRowPerEpochAndResumes(@TempDir Path dir) throws IOException {
    Path csv = dir.resolve("log.csv");
    Module m = model(Optimizers.sgd(0.05));
    History first = run(m, fit(4).callbacks(Callbacks.csvLogger(csv)));
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    assertEquals("epoch,loss,val_loss,lr", lines.get(0));
    assertEquals(5, lines.size());
    for (int e = 0; e < 4; e++) assertRow(lines.get(e + 1), e, first.epochs().get(e));
    assertTrue(Files.readString(csv).chars().allMatch(c -> c < 128), "non-ASCII characters in " + lines);

    History resumed = run(m, fit(6).initialEpoch(2).callbacks(new CsvLogger(csv)));
    lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    assertEquals(7, lines.size());   // header, epochs 0-1 of the first run, 2-5 of the resumed one
    for (int e = 0; e < 2; e++) assertRow(lines.get(e + 1), e, first.epochs().get(e));
    for (int e = 2; e < 6; e++) assertRow(lines.get(e + 1), e, resumed.epochs().get(e - 2));

    run(m, fit(1).callbacks(new CsvLogger(csv)));   // a fresh run replaces the file
    assertEquals(2, Files.readAllLines(csv).size());
  }

  private static void assertRow(String line, int epoch, Map<String, Double> logs) {
    String[] f = line.split(",");
    assertEquals(String.valueOf(epoch), f[0]);
    assertEquals(logs.get("loss"), Double.parseDouble(f[1]));
    assertEquals(logs.get("val_loss"), Double.parseDouble(f[2]));
    assertEquals(logs.get("lr"), Double.parseDouble(f[3]));
  }

  @Test
  void callbackArgumentsAreChecked() {
    assertMessage(IllegalArgumentException.class, () -> new EarlyStopping("val_loss").patience(-1), "EarlyStopping: patience (-1) must be >= 0");
    assertMessage(IllegalArgumentException.class, () -> new EarlyStopping("val_loss").minDelta(-0.5), "EarlyStopping: minDelta (-0.5) must be >= 0");
    assertMessage(IllegalArgumentException.class, () -> new EarlyStopping(""), "EarlyStopping: monitor is empty");
    assertMessage(IllegalArgumentException.class, () -> new LearningRateScheduler(null), "LearningRateScheduler: schedule is null");
    Module m = model(Optimizers.sgd(0.1));
    Tensor[] d = data(1);
    assertMessage(IllegalStateException.class,
        () -> m.fit(d[0], d[1], Fit.epochs(1).verbose(false).callbacks(Callbacks.learningRateScheduler((e, lr) -> -lr))),
        "LearningRateScheduler:", "gave learningRate -0.1", "for epoch 0", "a rate must be >= 0");
  }
}
