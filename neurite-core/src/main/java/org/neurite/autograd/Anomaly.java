package org.neurite.autograd;

import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * Debug mode that checks every op's output, and every gradient in backward, for NaN and infinity, and
 * fails at the first op that produced one (PyTorch's detect_anomaly). Off by default: it reads every
 * value once more. Turn it on with {@link #enable(boolean)} or {@code -Dneurite.debug.nan=true}.
 */
public final class Anomaly {
  private static volatile boolean enabled = Boolean.getBoolean("neurite.debug.nan");

  private Anomaly() {}

  public static void enable(boolean on) {
    enabled = on;
  }

  public static boolean enabled() {
    return enabled;
  }

  /** Throws if {@code t} holds a NaN or an infinity; {@code what} names the op and the phase. */
  public static void check(String what, Tensor t) {
    float[] d = t.data();
    for (int i = 0; i < d.length; i++)
      if (!Float.isFinite(d[i]))
        throw new ArithmeticException(what + " produced " + d[i] + " at flat index " + i + " of a tensor of shape "
            + Shape.str(t.shape()) + " (NaN/Inf debug mode is on)");
  }
}
