package org.neurite.autograd;

import org.neurite.tensor.Tensor;

/**
 * Records ops while grad mode is on. An op computes its output, then calls {@link #record}; when no
 * input needs a gradient (or grad mode is off) nothing is kept and the closure is dropped. The node
 * keeps each input's version, so a backward whose input was written in place since throws (see
 * {@link Node}).
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
    return recordSaving(op, out, NONE, backward, inputs);
  }

  /**
   * As {@link #record}, for a backward that also reads arrays other than its inputs' and output's
   * storage (max pooling's argmax, attention's probabilities): {@code Workspace.Scope.keep} keeps them
   * with the graph.
   *
   * @param op the op's name
   * @param out the op's output
   * @param saved the arrays the backward reads besides its inputs and output
   * @param backward the op's backward
   * @param inputs the op's inputs
   * @return {@code out}
   */
  public static Tensor recordSaving(String op, Tensor out, Object[] saved, Backward backward, Tensor... inputs) {
    if (Anomaly.enabled()) Anomaly.check(op, out);
    if (needed(inputs))
      out.autograd().attach(new Node(op, inputs, Node.versionsOf(inputs), saved,
          Anomaly.enabled() ? checked(op, backward) : backward));
    return out;
  }

  private static final Object[] NONE = {};

  private static Backward checked(String op, Backward backward) {
    return g -> {
      Tensor[] grads = Anomaly.inside("backward of " + op, () -> backward.apply(g));
      for (Tensor t : grads) if (t != null) Anomaly.check("backward of " + op, t);
      return grads;
    };
  }
}
