package org.neurite.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.neurite.autograd.GradMode;
import org.neurite.io.SafeTensors;
import org.neurite.optim.Optimizer;
import org.neurite.optim.Optimizers;
import org.neurite.tensor.Tensor;

/**
 * The checks of a model exported by tools/onnx/export_torchvision.py ({@code M.onnx}, {@code M_train.onnx},
 * {@code M.safetensors}): evaluation outputs of both files, then one SGD step in training mode with
 * every gradient compared before and after the step. Shared by the small committed models and the
 * full-size torchvision ones. Prints the measured errors.
 */
final class ModelGolden {
  /** Relative error allowed: max |diff| / max |reference| per tensor. */
  static final double TOL = 1e-4;

  private final String name;
  private final Map<String, Tensor> g;
  private final Path dir;

  ModelGolden(Path dir, String name) throws java.io.IOException {
    this.dir = dir;
    this.name = name;
    this.g = SafeTensors.read(dir.resolve(name + ".safetensors"));
  }

  Tensor get(String k) {
    Tensor t = g.get(k);
    assertNotNull(t, name + ": golden tensor " + k + " is missing");
    return t;
  }

  /** Eval outputs of M.onnx (BatchNorm folded by the exporter) and M_train.onnx (BatchNorm nodes). */
  double[] checkEval() throws java.io.IOException {
    double[] errs = new double[3];
    Tensor x = get("x");
    for (int k = 0; k < 2; k++) {
      OnnxModel m = Onnx.load(dir.resolve(name + (k == 0 ? ".onnx" : "_train.onnx")));
      m.eval();
      Tensor y;
      try (var off = GradMode.off()) {
        y = m.forward(x);
      }
      errs[k] = Fixtures.assertRel(name + (k == 0 ? "" : "_train") + " eval output", get("y_eval"), y, TOL);
      if (k == 0) errs[2] = Fixtures.relErr(get("y_eval32"), y);
    }
    System.out.printf(Locale.ROOT, "%s: eval rel. error vs PyTorch float64 %.2e (folded file), %.2e (BatchNorm file); "
        + "vs PyTorch float32 %.2e%n", name, errs[0], errs[1], errs[2]);
    return errs;
  }

  /**
   * One SGD step (the golden file's learning rate) in training mode; losses and every parameter's gradient before and after the
   * step, the running statistics and the eval output after it.
   *
   * <p>Gradients of the small committed models are held to {@link #TOL} per tensor. The full-size models'
   * golden files also hold PyTorch's own float32 gradients: there, training-mode BatchNorm at batch 2 is
   * ill-conditioned and a ReLU input within ~1e-5 of zero can fall on either side in float32 (a subgradient
   * choice: PyTorch's float32 gradients of ResNet-18 at batch 8 differ from float64 by 5e-2 for that
   * reason), so the gradients are checked in L2: all of them together within 10 times PyTorch float32's
   * own error (at least 1e-3), and each tensor within 5e-2 or 3 times PyTorch float32's error on it (a wrong
   * backward is off by O(1); MobileNetV2's first convolution is that far off in PyTorch float32 after one step).
   */
  double checkTrainingStep() throws java.io.IOException {
    OnnxModel m = Onnx.load(dir.resolve(name + "_train.onnx"));
    m.train(true);
    Tensor x = get("x"), labels = get("labels");
    double lr = g.containsKey("lr") ? g.get("lr").item() : 0.1;
    Optimizer opt = Optimizers.sgd(lr).attach(m.parameters());
    boolean l2 = g.keySet().stream().anyMatch(k -> k.startsWith("grad32_"));
    double worst = 0;
    double[] globalN = new double[3], globalT = new double[3];
    for (int step = 1; step <= 2; step++) {
      m.zeroGrad();
      Tensor loss = org.neurite.ops.Functional.crossEntropy(m.forward(x), labels);
      loss.backward();
      worst = Math.max(worst, check(name + " loss" + step, "loss" + step, "loss32_" + step, loss));
      String prefix = "grad" + step + ":";
      double scale = 0, scaleL2 = 0;   // the largest gradient (max and L2) of this step: the floors for exact zeros
      for (var e : g.entrySet())
        if (e.getKey().startsWith(prefix)) {
          scale = Math.max(scale, Fixtures.maxAbs(e.getValue()));
          scaleL2 = Math.max(scaleL2, norm(e.getValue().toArray(), null));
        }
      double dn = 0, dt = 0, rr = 0;
      int compared = 0;
      for (var e : g.entrySet()) {
        if (!e.getKey().startsWith(prefix)) continue;
        String onnxName = e.getKey().substring(prefix.length());
        String own = m.stateNames().get(onnxName);
        assertNotNull(own, name + ": parameter " + onnxName + " was not imported as a parameter");
        Tensor p = m.namedParameters().get(own);
        assertNotNull(p, name + ": " + own + " is not trainable");
        assertNotNull(p.grad(), name + ": " + own + " got no gradient");
        compared++;
        if (!l2) {
          worst = Math.max(worst, Fixtures.assertRel(name + " step " + step + " grad " + onnxName, e.getValue(), p.grad(), TOL,
              1e-3 * scale));
          continue;
        }
        float[] ref = e.getValue().toArray(), got = p.grad().toArray(), t32 = get("grad32_" + step + ":" + onnxName).toArray();
        double r = norm(ref, null), d = norm(ref, got), t = norm(ref, t32);
        dn += d * d;
        dt += t * t;
        rr += r * r;
        double rel = d / Math.max(r, 1e-3 * scaleL2), relT = t / Math.max(r, 1e-3 * scaleL2);
        if (!(rel <= Math.max(5e-2, 3 * relT)))
          throw new AssertionError(String.format(Locale.ROOT, "%s step %d grad %s: relative L2 error %.3g > max(5e-2, 3 x "
              + "PyTorch float32's %.3g)", name, step, onnxName, rel, relT));
      }
      assertEquals(m.namedParameters().size(), compared, name + ": every parameter's gradient is compared");
      if (l2) {
        double gn = Math.sqrt(dn / rr), gt = Math.sqrt(dt / rr);
        if (!(gn <= Math.max(1e-3, 10 * gt)))
          throw new AssertionError(String.format(Locale.ROOT, "%s step %d: gradients' relative L2 error %.3g > max(1e-3, 10 x "
              + "PyTorch float32's %.3g)", name, step, gn, gt));
        globalN[step] = gn;
        globalT[step] = gt;
      }
      if (step == 1) opt.step();
    }
    for (var e : g.entrySet())
      if (e.getKey().startsWith("state2:")) {
        String onnxName = e.getKey().substring("state2:".length());
        worst = Math.max(worst, check(name + " " + onnxName, e.getKey(), "state32_2:" + onnxName,
            m.stateDict().get(m.stateNames().get(onnxName))));
      }
    m.eval();
    Tensor y2;
    try (var off = GradMode.off()) {
      y2 = m.forward(x);
    }
    worst = Math.max(worst, check(name + " eval output after the step", "y2_eval", "y2_eval32", y2));
    if (l2)
      System.out.printf(Locale.ROOT, "%s: training step: losses, running stats, output after the step: worst rel. error %.2e; "
          + "%d gradients: relative L2 error %.2e before the step, %.2e after it (PyTorch float32: %.2e, %.2e)%n", name, worst,
          m.namedParameters().size(), globalN[1], globalN[2], globalT[1], globalT[2]);
    else
      System.out.printf(Locale.ROOT, "%s: training step: worst rel. error over losses, %d gradients x 2, stats, output: %.2e%n",
          name, m.namedParameters().size(), worst);
    return worst;
  }

  /**
   * Relative error of {@code actual} against the float64 golden {@code key}: at most {@link #TOL}, or 10
   * times PyTorch float32's own error where the golden file has it ({@code key32}: values after a
   * training step inherit the step's float32 gradient noise).
   */
  private double check(String what, String key, String key32, Tensor actual) {
    Tensor t32 = g.get(key32);
    double allowed = t32 == null ? TOL : Math.max(TOL, 10 * Fixtures.relErr(get(key), t32));
    Fixtures.assertRel(what, get(key), actual, allowed);
    return Fixtures.relErr(get(key), actual);
  }

  /** ||a - b|| (or ||a|| when b is null), in double. */
  private static double norm(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = b == null ? a[i] : (double) a[i] - b[i];
      s += d * d;
    }
    return Math.sqrt(s);
  }
}
