package org.neurite.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.tensor.Tensor;
import org.neurite.testing.Golden;

/**
 * SGD, Adam, AdamW, RMSprop and gradient clipping against PyTorch 1.13: five steps from the same
 * parameters with the same gradients (tools/fixtures/make_optim_fixtures.py), parameters compared
 * after every step. Parameter "c" gets no gradient at steps 0 and 3, which checks that state starts
 * per parameter at its first gradient, as PyTorch's does. Then the state() / loadState() round trip.
 */
class OptimizerGoldenTest {
  private static final Golden.Fixture FIX = Golden.load("org/neurite/optim/optimizers.safetensors");
  private static final String[] NAMES = {"a", "b", "c"};
  private static final int STEPS = 5;

  /** The Java twin of each configuration in the fixture script's CONFIGS. */
  private static final Map<String, Supplier<Optimizer>> CONFIGS = new LinkedHashMap<>();

  static {
    CONFIGS.put("sgd", () -> new SGD(0.1f));
    CONFIGS.put("sgd_momentum", () -> new SGD(0.1f, 0.9f, false));
    CONFIGS.put("sgd_dampening", () -> new SGD(0.1f, 0.9f, 0.5f, 0f, false));
    CONFIGS.put("sgd_nesterov_wd", () -> new SGD(0.05f, 0.9f, 0f, 0.01f, true));
    CONFIGS.put("adam", () -> new Adam(0.01f));
    CONFIGS.put("adam_wd", () -> new Adam(0.01f, 0.8f, 0.99f, 1e-6f, 0.1f));
    CONFIGS.put("adamw", () -> new AdamW(0.01f));
    CONFIGS.put("adamw_wd", () -> new AdamW(0.01f, 0.8f, 0.99f, 1e-6f, 0.5f));
    CONFIGS.put("rmsprop", () -> new RMSprop(0.01f));
    CONFIGS.put("rmsprop_centered_momentum_wd", () -> new RMSprop(0.01f, 0.9f, 1e-6f, 0.1f, 0.9f, true));
    CONFIGS.put("sgd_momentum_clipnorm", () -> new SGD(0.1f, 0.9f, false).clipNorm(4.0));
    CONFIGS.put("adam_clipvalue", () -> new Adam(0.01f).clipValue(0.5));
  }

  static Stream<String> configs() {
    return CONFIGS.keySet().stream();
  }

  private static List<Tensor> initialParams() {
    Golden.Case init = FIX.get("init");
    List<Tensor> ps = new ArrayList<>();
    for (String n : NAMES) ps.add(init.tensor(n).requiresGrad(true));
    return ps;
  }

  /** Sets the gradients of step {@code k}; a parameter without one in the fixture gets none. */
  private static void setGrads(List<Tensor> ps, int k) {
    Golden.Case grads = FIX.get("grads");
    for (int i = 0; i < NAMES.length; i++) {
      Tensor p = ps.get(i);
      p.zeroGrad();
      String g = k + "/" + NAMES[i];
      if (grads.has(g)) p.autograd().accumulate(grads.tensor(g));
    }
  }

  private static void checkStep(String config, List<Tensor> ps, int k) {
    Golden.Case want = FIX.get(config);
    for (int i = 0; i < NAMES.length; i++)
      Golden.assertClose(config + " step " + k + " " + NAMES[i], want.expected(k + "/" + NAMES[i]), ps.get(i), 1e-6, 1e-5);
  }

  @Test
  void everyFixtureConfigHasAJavaTwin() {
    List<String> inFixture = new ArrayList<>(FIX.caseNames());
    inFixture.removeAll(List.of("init", "grads"));
    assertEquals(inFixture, new ArrayList<>(CONFIGS.keySet()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void fiveStepsMatchPyTorch(String config) {
    List<Tensor> ps = initialParams();
    Optimizer opt = CONFIGS.get(config).get().attach(ps);
    for (int k = 0; k < STEPS; k++) {
      setGrads(ps, k);
      opt.step();
      checkStep(config, ps, k);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void stateRoundTripContinuesIdentically(String config) {
    List<Tensor> ps = initialParams();
    Optimizer opt = CONFIGS.get(config).get().attach(ps);
    for (int k = 0; k < 2; k++) {
      setGrads(ps, k);
      opt.step();
    }
    List<Tensor> copy = new ArrayList<>();
    for (Tensor p : ps) copy.add(Tensor.of(p.toArray(), p.shape()).requiresGrad(true));
    Optimizer resumed = CONFIGS.get(config).get().attach(copy);
    resumed.loadState(opt.state());
    for (int k = 2; k < STEPS; k++) {
      setGrads(ps, k);
      setGrads(copy, k);
      opt.step();
      resumed.step();
      for (int i = 0; i < NAMES.length; i++) assertArrayEquals(ps.get(i).toArray(), copy.get(i).toArray(), config + " step " + k);
      checkStep(config, copy, k);
    }
  }

  @Test
  void clipByNormReturnsPyTorchsTotalNormAndScalesAllGradientsAlike() {
    for (int k = 0; k < STEPS; k++) {
      List<Tensor> ps = initialParams();
      setGrads(ps, k);
      List<float[]> before = new ArrayList<>();
      for (Tensor p : ps) before.add(p.grad() == null ? null : p.grad().toArray());
      double norm = GradClip.byNorm(ps, 4.0);
      assertEquals(FIX.get("sgd_momentum_clipnorm").expected("norm/" + k).item(), norm, 1e-5 * norm, "step " + k);
      double scale = Math.min(1, 4.0 / (norm + 1e-6));
      for (int i = 0; i < ps.size(); i++) {
        if (before.get(i) == null) continue;
        float[] g = ps.get(i).grad().toArray();
        for (int j = 0; j < g.length; j++) assertEquals(before.get(i)[j] * scale, g[j], 1e-6);
      }
    }
  }

  @Test
  void clipByValueClamps() {
    Tensor p = Tensor.zeros(4).requiresGrad(true);
    p.autograd().accumulate(Tensor.of(new float[] {-2f, -0.25f, 0.5f, 3f}, 4));
    GradClip.byValue(List.of(p), 0.5);
    assertArrayEquals(new float[] {-0.5f, -0.25f, 0.5f, 0.5f}, p.grad().toArray());
  }

  @Test
  void clipByNormLeavesSmallGradientsAndSkipsMissingOnes() {
    Tensor p = Tensor.zeros(2).requiresGrad(true), q = Tensor.zeros(3).requiresGrad(true);
    p.autograd().accumulate(Tensor.of(new float[] {3f, 4f}, 2));
    assertEquals(5.0, GradClip.byNorm(List.of(p, q), 10.0), 1e-12);
    assertArrayEquals(new float[] {3f, 4f}, p.grad().toArray());
    assertEquals(0.0, GradClip.byNorm(List.of(q), 1.0));
  }

  @Test
  void factoriesBuildTheNamedOptimizers() {
    assertSame(SGD.class, Optimizers.sgd(0.1).getClass());
    assertSame(SGD.class, Optimizers.sgd(0.1, 0.9, true).getClass());
    assertSame(AdamW.class, Optimizers.adamw(1e-3, 0.05).getClass());
    assertSame(RMSprop.class, Optimizers.rmsprop(1e-2).getClass());
    assertEquals(1e-2f, Optimizers.rmsprop(1e-2).learningRate());
  }

  @Test
  void factoriesMatchTheirConstructors() {
    // sgd(lr, momentum, nesterov) and adamw(lr, wd) against the fixture's equivalent configurations
    List<Tensor> ps = initialParams();
    Optimizer opt = Optimizers.sgd(0.1, 0.9, false).attach(ps);
    for (int k = 0; k < STEPS; k++) {
      setGrads(ps, k);
      opt.step();
      checkStep("sgd_momentum", ps, k);
    }
    ps = initialParams();
    opt = Optimizers.adamw(0.01, 0.01).attach(ps);
    for (int k = 0; k < STEPS; k++) {
      setGrads(ps, k);
      opt.step();
      checkStep("adamw", ps, k);
    }
  }
}
