package org.neurite.nn;

import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * A built-in layer: a Module with an optional output activation (Keras' {@code activation=}) and a
 * lazily built input shape. Subclasses implement {@link #compute} and {@link #build}.
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public abstract class Layer extends Module {
  protected Activation activation = Activation.LINEAR;

  /** The layer's computation before its activation; the batch axis is first. */
  protected abstract Tensor compute(Tensor x);

  @Override
  public final Tensor forward(Tensor x) {
    ensureBuilt(x);
    int[] want = inputShape();
    int[] got = x.shape();
    if (got.length != want.length + 1 || !trailingMatch(want, got))
      throw new IllegalArgumentException(this + ": expected input [N, " + Shape.str(want).substring(1) + ", got "
          + Shape.str(got) + hint(want, got));
    Tensor y = compute(x);
    return computesActivation() ? y : activation.apply(y);
  }

  /** A layer creates its weights in {@link #build}. */
  @Override
  protected boolean infersShapes() {
    return true;
  }

  /** Whether {@link #compute} already applied the activation (a fused op); false by default. */
  protected boolean computesActivation() {
    return false;
  }

  /**
   * How many trailing per-sample axes must equal the built shape; the axes before them (a sequence's
   * length) may differ from batch to batch. -1, the default, fixes them all.
   */
  protected int fixedTrailingAxes() {
    return -1;
  }

  private boolean trailingMatch(int[] want, int[] got) {
    int k = fixedTrailingAxes();
    int from = k < 0 ? 0 : Math.max(0, want.length - k);
    for (int i = from; i < want.length; i++) if (got[i + 1] != want[i]) return false;
    return true;
  }

  private static String hint(int[] want, int[] got) {
    if (got.length == want.length && Shape.size(got) > 0) {
      StringBuilder sb = new StringBuilder(". Hint: add the batch axis: x.reshape(1");
      for (int d : got) sb.append(", ").append(d);
      return sb.append(')').toString();
    }
    return "";
  }

  @SuppressWarnings("unchecked")
  <L extends Layer> L activate(Activation a) {
    this.activation = a;
    return (L) this;
  }

  public Activation activation() {
    return activation;
  }

  /** Appends ", activation=relu" when not linear, for toString. */
  protected final String activationSuffix() {
    return activation == Activation.LINEAR ? "" : ", activation=" + activation.kerasName();
  }
}
