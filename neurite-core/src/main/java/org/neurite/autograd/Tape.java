package org.neurite.autograd;

import org.neurite.tensor.Tensor;

/**
 * Records ops while grad mode is on. An op computes its output, then calls {@link #record}; when no
 * input needs a gradient (or grad mode is off) nothing is kept and the closure is dropped.
 *
 * <p>Thread-safe: static methods; the graph lives in the tensors that ops return, and grad mode is per
 * thread.
 */
public final class Tape {
  private Tape() {}

  /**
   * True when an op with these inputs must record its backward.
   *
   * @param inputs the op's inputs
   * @return whether grad mode is on and an input requires a gradient
   */
  public static boolean needed(Tensor... inputs) {
    if (!GradMode.enabled()) return false;
    for (Tensor t : inputs) if (t != null && t.requiresGrad()) return true;
    return false;
  }

  /**
   * Attaches {@code backward} to {@code out} if any input needs a gradient; returns {@code out}.
   *
   * @param op the op's name
   * @param out the op's output
   * @param backward the op's backward
   * @param inputs the op's inputs
   * @return {@code out}
   */
  public static Tensor record(String op, Tensor out, Backward backward, Tensor... inputs) {
    if (Anomaly.enabled()) Anomaly.check(op, out);
    if (needed(inputs)) out.attach(new Node(op, inputs, Anomaly.enabled() ? checked(op, backward) : backward));
    return out;
  }

  private static Backward checked(String op, Backward backward) {
    return g -> {
      Tensor[] grads = Anomaly.inside("backward of " + op, () -> backward.apply(g));
      for (Tensor t : grads) if (t != null) Anomaly.check("backward of " + op, t);
      return grads;
    };
  }
}
