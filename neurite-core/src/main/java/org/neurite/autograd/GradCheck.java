package org.neurite.autograd;

import java.util.function.Function;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * Finite-difference gradient check: compares the gradients that backward computes with central
 * differences of {@code L = sum(f(inputs) * u)}, where {@code u} is a fixed random upstream gradient
 * (a plain {@code sum()} would hide errors that cancel). L is accumulated in double. Backward runs twice
 * to check that it is repeatable and that gradients accumulate.
 *
 * <p>Keep inputs away from kinks (ReLU at 0, ties in max) and use small tensors: the check costs two
 * forward passes per input element.
 *
 * <p>Immutable: the tolerances are fixed at construction and each check builds its own tensors.
 */
public final class GradCheck {
  private final double eps, atol, rtol;

  /**
   * A checker with these tolerances; an element passes when |analytic - numeric| {@code <=} atol + rtol
   * |numeric|.
   *
   * @param eps the central-difference step
   * @param atol the absolute tolerance
   * @param rtol the relative tolerance
   */
  public GradCheck(double eps, double atol, double rtol) {
    this.eps = eps;
    this.atol = atol;
    this.rtol = rtol;
  }

  /**
   * Defaults suited to float32: eps 1e-3, atol 2e-3, rtol 1e-2.
   *
   * @return the checker
   */
  public static GradCheck defaults() {
    return new GradCheck(1e-3, 2e-3, 1e-2);
  }

  /**
   * Checks the gradient of {@code f} with respect to every input that requires grad; throws an
   * {@link AssertionError} naming the input, the element and both values at the first mismatch.
   *
   * @param f the function, from the inputs to one output tensor
   * @param inputs the inputs; those that require grad are checked
   */
  public void check(Function<Tensor[], Tensor> f, Tensor... inputs) {
    Tensor out = f.apply(inputs);
    Tensor u = Tensor.uniform(new Rng(1234), -1f, 1f, out.shape());
    for (Tensor t : inputs) if (t.requiresGrad()) t.zeroGrad();
    out.backward(u);
    float[][] analytic = new float[inputs.length][];
    for (int i = 0; i < inputs.length; i++) {
      if (!inputs[i].requiresGrad()) continue;
      if (inputs[i].grad() == null) throw new AssertionError("input " + i + ": backward produced no gradient");
      analytic[i] = inputs[i].grad().toArray();
    }
    // Repeat: the same graph must give the same gradient again, added to the first.
    f.apply(inputs).backward(u);
    for (int i = 0; i < inputs.length; i++) {
      if (analytic[i] == null) continue;
      float[] twice = inputs[i].grad().toArray();
      for (int j = 0; j < twice.length; j++)
        if (Math.abs(twice[j] - 2 * analytic[i][j]) > 1e-5 + 1e-5 * Math.abs(twice[j]))
          throw new AssertionError("input " + i + " element " + j + ": a second backward accumulated " + twice[j]
              + ", expected 2 x " + analytic[i][j]);
      inputs[i].zeroGrad();
    }
    float[] uw = u.data();
    for (int i = 0; i < inputs.length; i++) {
      if (analytic[i] == null) continue;
      Tensor x = inputs[i];
      if (!x.isDense())
        throw new IllegalArgumentException("GradCheck: input " + i + " must be dense to perturb it");
      float[] d = x.storage();
      for (int j = 0; j < d.length; j++) {
        float keep = d[j];
        d[j] = (float) (keep + eps);
        double plus = weighted(f, inputs, uw);
        d[j] = (float) (keep - eps);
        double minus = weighted(f, inputs, uw);
        d[j] = keep;
        double numeric = (plus - minus) / (2 * eps);
        double a = analytic[i][j];
        if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric)))
          throw new AssertionError(String.format(java.util.Locale.ROOT,
              "input %d %s element %d: analytic gradient %.6g, numeric %.6g (|diff| %.3g > atol %.1g + rtol %.1g * |numeric|)",
              i, Shape.str(x.shape()), j, a, numeric, Math.abs(a - numeric), atol, rtol));
      }
    }
  }

  private static double weighted(Function<Tensor[], Tensor> f, Tensor[] inputs, float[] u) {
    try (var scope = GradMode.off()) {
      float[] y = f.apply(inputs).data();
      double s = 0;
      for (int k = 0; k < y.length; k++) s += (double) y[k] * u[k];
      return s;
    }
  }
}
