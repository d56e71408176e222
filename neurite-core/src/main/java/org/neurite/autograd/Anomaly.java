package org.neurite.autograd;

import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * Debug mode that checks every op's output, and every gradient in backward, for NaN and infinity, and
 * fails at the first op that produced one (PyTorch's detect_anomaly). Off by default: it reads every
 * value once more. Turn it on with {@link #enable(boolean)} or {@code -Dneurite.debug.nan=true}.
 *
 * <p>Thread-safe: the switch is one process-wide volatile flag, and the op being checked is tracked per
 * thread.
 */
public final class Anomaly {
  private static volatile boolean enabled = Boolean.getBoolean("neurite.debug.nan");

  private Anomaly() {}

  /**
   * Turns the checks on or off, for every thread.
   *
   * @param on whether to check
   */
  public static void enable(boolean on) {
    enabled = on;
  }

  /** {@return whether the checks are on} */
  public static boolean enabled() {
    return enabled;
  }

  // The backward being run on this thread, if any: ops inside a backward (sqrt's uses div) are reported
  // as part of it, since the user never called them.
  private static final ThreadLocal<String> INSIDE = new ThreadLocal<>();

  /** Runs {@code body} (a backward) so that failing checks inside it are prefixed with {@code what}. */
  static <T> T inside(String what, java.util.function.Supplier<T> body) {
    String previous = INSIDE.get();
    INSIDE.set(what);
    try {
      return body.get();
    } finally {
      INSIDE.set(previous);
    }
  }

  /**
   * Throws if {@code t} holds a NaN or an infinity; {@code what} names the op and the phase.
   *
   * @param what the op and the phase, for the message
   * @param t the tensor to check
   * @throws ArithmeticException naming {@code what} and the first non-finite element
   */
  public static void check(String what, Tensor t) {
    float[] d = t.data();
    String context = INSIDE.get();
    for (int i = 0; i < d.length; i++)
      if (!Float.isFinite(d[i]))
        throw new ArithmeticException((context == null ? "" : context + ": ") + what + " produced " + d[i]
            + " at flat index " + i + " of a tensor of shape " + Shape.str(t.shape()) + " (NaN/Inf debug mode is on)");
  }
}
