package org.neurite.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
import org.neurite.optim.Adam;
import org.neurite.optim.ReduceLROnPlateau;
import org.neurite.optim.Schedule;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * A run killed at an epoch boundary and resumed from its checkpoint ends bit for bit where the
 * uninterrupted run ends: the schedules keep their base rate, early stopping and plateau reduction
 * their counters, the best checkpoint its best value. Before callbacks carried state, the resumed
 * schedule took the restored (already decayed) rate as its base.
 */
class ResumeStateTest {
  @TempDir
  Path dir;

  private static final int EPOCHS = 7, KILL_AT = 3;

  private static Tensor[] data(long seed, int n) {
    Rng rng = new Rng(seed);
    Tensor x = Tensor.randn(rng, n, 4);
    float[] xs = x.toArray(), y = new float[n];
    for (int i = 0; i < n; i++) y[i] = (xs[4 * i] - xs[4 * i + 1] + 0.5f * xs[4 * i + 2] * xs[4 * i + 3] > 0) ? 1 : 0;
    return new Tensor[] {x, Tensor.of(y, n)};
  }

  /** The run's callbacks, fresh, as a new process would build them. */
  private static List<Callback> callbacks(boolean perStep) {
    List<Callback> c = new ArrayList<>();
    c.add(perStep ? new CosineDecay(EPOCHS, 0.1) : new LearningRateScheduler(Schedule.exponential(0.6)));
    c.add(new EarlyStopping("val_loss").patience(3).minDelta(0.02));
    c.add(new ReduceLROnPlateauCallback(new ReduceLROnPlateau("val_loss").patience(0).factor(0.5).minDelta(0.01)));
    return c;
  }

  private record Run(float[] weights, List<Double> lrs, Map<String, Double> earlyStopping) {}

  private Run run(Path resumeDir, boolean perStep, boolean kill) {
    Seeds.set(5);
    Module m = Sequential.of(new Dense(16).relu(), new Dense(2)).input(4);
    m.compile(new Adam(1e-2f), Losses.sparseCategoricalCrossentropy(), Metrics.accuracy());
    Tensor[] train = data(1, 96), val = data(2, 48);
    List<Callback> cbs = callbacks(perStep);
    if (kill) cbs.add(new Callback() {
      @Override
      public void onEpochBegin(Trainer trainer, int epoch) {
        if (epoch == KILL_AT) throw new IllegalStateException("killed");
      }
    });
    Fit fit = Fit.epochs(EPOCHS).batchSize(16).seed(9).verbose(false).validationData(new TensorDataset(val[0], val[1]))
        .resume(resumeDir).callbacks(cbs.toArray(Callback[]::new));
    History h = m.fit(new TensorDataset(train[0], train[1]), fit);
    List<Double> lrs = new ArrayList<>();
    for (var e : h.epochs()) lrs.add(e.get("lr"));
    return new Run(flat(m), lrs, cbs.get(1).state());
  }

  private static float[] flat(Module m) {
    List<Float> all = new ArrayList<>();
    for (Tensor t : m.stateDict().values()) for (float v : t.toArray()) all.add(v);
    float[] out = new float[all.size()];
    for (int i = 0; i < out.length; i++) out[i] = all.get(i);
    return out;
  }

  @Test
  void aRunKilledAndResumedEqualsTheUninterruptedRunBitForBit() {
    for (boolean perStep : new boolean[] {false, true}) {
      Run whole = run(dir.resolve("whole-" + perStep), perStep, false);
      Path resumable = dir.resolve("killed-" + perStep);
      assertThrows(IllegalStateException.class, () -> run(resumable, perStep, true));
      Run resumed = run(resumable, perStep, false);
      assertArrayEquals(whole.weights(), resumed.weights(), 0f, "weights, " + (perStep ? "cosine" : "exponential"));
      assertEquals(whole.lrs().subList(KILL_AT, whole.lrs().size()), resumed.lrs(), "learning rates after the resume");
      assertEquals(whole.earlyStopping(), resumed.earlyStopping(), "early stopping's counters");
    }
  }

  @Test
  void statesTravelThroughTheCheckpointIncludingInfinities() throws Exception {
    var es = new EarlyStopping("val_loss");
    es.onTrainBegin(null);
    Seeds.set(1);
    Sequential m = Sequential.of(new Dense(2)).input(3);
    var adam = new Adam(1e-3f);
    adam.attach(m.parameters());
    org.neurite.io.Checkpoints.save(dir.resolve("c"), m, adam, 1, Map.of(), Callbacks.states(List.of(es)));
    var r = org.neurite.io.Checkpoints.load(dir.resolve("c"), new Adam(1e-3f));
    assertEquals(Double.POSITIVE_INFINITY, r.callbacks().get(0).state().get("best"));
    var fresh = new EarlyStopping("val_loss");
    Callbacks.restoreStates(r.callbacks(), List.of(fresh));
    assertEquals(es.state(), fresh.state());
  }
}
