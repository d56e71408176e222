package org.neurite.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.neurite.testing.Errors.assertMessage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.testing.Golden;

/**
 * Learning-rate schedules and ReduceLROnPlateau against PyTorch 1.13's schedulers (StepLR,
 * ExponentialLR, CosineAnnealingLR, LinearLR + SequentialLR for warm-up, ReduceLROnPlateau with
 * threshold_mode="abs"), rates of 20 epochs from base 0.1 (tools/fixtures/make_optim_fixtures.py).
 */
class ScheduleTest {
  private static final Golden.Fixture FIX = Golden.load("org/neurite/optim/schedules.safetensors");

  private static final Map<String, Schedule> SCHEDULES = new LinkedHashMap<>();
  private static final Map<String, Supplier<ReduceLROnPlateau>> PLATEAUS = new LinkedHashMap<>();

  static {
    SCHEDULES.put("step", Schedule.step(3, 0.5));
    SCHEDULES.put("exponential", Schedule.exponential(0.9));
    SCHEDULES.put("cosine", Schedule.cosine(10, 0.001));
    SCHEDULES.put("cosine_to_zero", Schedule.cosine(8, 0));
    SCHEDULES.put("warmup_cosine", Schedule.warmup(5, Schedule.cosine(15, 0)));
    SCHEDULES.put("warmup_step", Schedule.warmup(3, Schedule.step(4, 0.1)));
    PLATEAUS.put("plateau_min", () -> new ReduceLROnPlateau("val_loss").factor(0.5).patience(2).minDelta(0.01).cooldown(1).minLr(0.01));
    PLATEAUS.put("plateau_max", () -> new ReduceLROnPlateau("val_accuracy").mode(ReduceLROnPlateau.Mode.MAX).factor(0.2)
        .patience(1).minDelta(0));
    PLATEAUS.put("plateau_defaults", () -> new ReduceLROnPlateau("val_loss"));
  }

  static Stream<String> schedules() {
    return SCHEDULES.keySet().stream();
  }

  static Stream<String> plateaus() {
    return PLATEAUS.keySet().stream();
  }

  @Test
  void everyFixtureCaseHasAJavaTwin() {
    List<String> java = new ArrayList<>(SCHEDULES.keySet());
    java.addAll(PLATEAUS.keySet());
    assertEquals(FIX.caseNames(), java);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schedules")
  void twentyEpochsMatchPyTorch(String name) {
    float[] want = FIX.get(name).expected("lr").toArray();
    float[] got = new float[want.length];
    for (int e = 0; e < got.length; e++) got[e] = (float) SCHEDULES.get(name).lr(e, 0.1);
    Golden.assertClose(name + " lr", want, got, null, 1e-9, 1e-6);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("plateaus")
  void plateauMatchesPyTorch(String name) {
    Golden.Case c = FIX.get(name);
    float[] metric = c.expected("metric").toArray(), want = c.expected("lr").toArray(), got = new float[metric.length];
    ReduceLROnPlateau rule = PLATEAUS.get(name).get();
    double lr = 0.1;
    for (int e = 0; e < metric.length; e++) got[e] = (float) (lr = rule.step(metric[e], lr));
    Golden.assertClose(name + " lr", want, got, null, 1e-12, 1e-6);
  }

  @Test
  void plateauWaitsPatiencePlusOneBadEpochs() {
    ReduceLROnPlateau rule = new ReduceLROnPlateau("loss").patience(2).factor(0.5);
    double lr = 1;
    double[] seen = new double[6];
    for (int e = 0; e < seen.length; e++) seen[e] = lr = rule.step(1.0, lr);   // never improves after epoch 0
    assertEquals(List.of(1.0, 1.0, 1.0, 0.5, 0.5, 0.5), java.util.Arrays.stream(seen).boxed().toList());
    assertEquals(1.0, rule.best());
  }

  @Test
  void argumentsAreChecked() {
    assertMessage(IllegalArgumentException.class, () -> Schedule.step(0, 0.5), "Schedule.step: stepSize (0) must be >= 1");
    assertMessage(IllegalArgumentException.class, () -> Schedule.step(3, -0.5), "Schedule.step: gamma (-0.5) must be > 0");
    assertMessage(IllegalArgumentException.class, () -> Schedule.exponential(0), "Schedule.exponential: gamma (0.0) must be > 0");
    assertMessage(IllegalArgumentException.class, () -> Schedule.cosine(0, 0), "Schedule.cosine: tMax (0) must be >= 1");
    assertMessage(IllegalArgumentException.class, () -> Schedule.cosine(10, -1), "Schedule.cosine: etaMin (-1.0) must be >= 0");
    assertMessage(IllegalArgumentException.class, () -> Schedule.warmup(0, Schedule.exponential(1)), "Schedule.warmup: warmupEpochs (0) must be >= 1");
    assertMessage(IllegalArgumentException.class, () -> Schedule.warmup(2, null), "Schedule.warmup: the schedule after warm-up is null");
    ReduceLROnPlateau r = new ReduceLROnPlateau("val_loss");
    assertMessage(IllegalArgumentException.class, () -> r.factor(1), "ReduceLROnPlateau: factor (1.0) must be in (0, 1)");
    assertMessage(IllegalArgumentException.class, () -> r.patience(-1), "ReduceLROnPlateau: patience (-1) must be >= 0");
    assertMessage(IllegalArgumentException.class, () -> r.minDelta(-1e-3), "ReduceLROnPlateau: minDelta (-0.001) must be >= 0");
    assertMessage(IllegalArgumentException.class, () -> r.cooldown(-2), "ReduceLROnPlateau: cooldown (-2) must be >= 0");
    assertMessage(IllegalArgumentException.class, () -> r.minLr(Double.NaN), "ReduceLROnPlateau: minLr (NaN) must be >= 0");
    assertMessage(IllegalArgumentException.class, () -> new ReduceLROnPlateau(""), "ReduceLROnPlateau: monitor is empty");
  }
}
