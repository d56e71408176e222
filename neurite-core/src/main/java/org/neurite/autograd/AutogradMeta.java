package org.neurite.autograd;

import org.neurite.tensor.Tensor;

/**
 * A tensor's graph state, kept apart from its data as PyTorch keeps {@code AutogradMeta} apart from the
 * tensor: whether it requires a gradient, the op that made it, and for a leaf the accumulated gradient
 * with the array kept for the next one. A tensor gets one the first time it requires a gradient (see
 * {@link Tensor#autograd()}); the public spelling is {@code Tensor}'s {@code grad()}, {@code zeroGrad()},
 * {@code recycleGrad()}, {@code gradFn()}.
 *
 * <p>Not thread-safe: gradient accumulation is serial (two backward passes that reach the same leaf race).
 */
public final class AutogradMeta {
  private boolean requiresGrad;
  private Node gradFn;
  private Tensor grad;
  private float[] spareGrad;  // the array of a gradient given up by recycleGrad, for the next one
  private float[] gradBuffer; // spareGrad handed to an op's backward by takeGradBuffer, for accumulate to adopt

  /** State for a tensor that does not require a gradient yet; {@link Tensor#autograd()} makes it. */
  public AutogradMeta() {}

  public boolean requiresGrad() {
    return requiresGrad;
  }

  /**
   * Marks a leaf as needing a gradient, or not.
   *
   * @param on whether it needs one
   */
  public void requiresGrad(boolean on) {
    if (gradFn != null && !on)
      throw new IllegalStateException("requiresGrad(false) on a non-leaf tensor (made by " + gradFn.op()
          + "); use detach()");
    requiresGrad = on;
  }

  /** The op that produced the tensor, or {@code null} for a leaf. */
  public Node gradFn() {
    return gradFn;
  }

  /** The accumulated gradient, or {@code null}. */
  public Tensor grad() {
    return grad;
  }

  /** Called by {@link Tape} to attach the recorded op. */
  void attach(Node node) {
    gradFn = node;
    requiresGrad = true;
  }

  /** Forgets the accumulated gradient and its arrays (PyTorch's {@code set_to_none}). */
  public void zeroGrad() {
    grad = null;
    spareGrad = null;
    gradBuffer = null;
  }

  /** Forgets the accumulated gradient but keeps its array for the next backward; see {@link Tensor#recycleGrad}. */
  public void recycleGrad() {
    if (grad != null) spareGrad = grad.storage();
    grad = null;
    gradBuffer = null;
  }

  /**
   * For ops' backward (through {@code Workspace.gradient}): an array of the leaf's size to write its
   * gradient into, which {@link #accumulate} then takes as the gradient without a copy (PyTorch
   * accumulates into {@code .grad} the same way); the array {@link #recycleGrad} kept, or null when there
   * is none.
   *
   * @return the array, or null
   */
  public float[] takeGradBuffer() {
    if (gradFn != null || grad != null || spareGrad == null) return null;
    gradBuffer = spareGrad;
    spareGrad = null;
    return gradBuffer;
  }

  /**
   * Adds {@code g} (the leaf's shape) to the gradient, owning a dense copy; adopts {@code g}'s array when
   * it is the one {@link #takeGradBuffer} handed out.
   *
   * @param g a gradient of the leaf's shape
   */
  public void accumulate(Tensor g) {
    if (grad == null && gradBuffer != null && g.storage() == gradBuffer && g.isDense()) {
      grad = Tensor.of(gradBuffer, g.shape());
      gradBuffer = null;
    } else if (grad == null) {
      float[] d = spareGrad;
      spareGrad = null;
      if (d != null && d.length == g.size() && g.isContiguous()) System.arraycopy(g.storage(), g.offset(), d, 0, d.length);
      else d = g.toArray();
      grad = Tensor.of(d, g.shape());
    } else {
      float[] acc = grad.storage();
      float[] add = g.data();
      for (int i = 0; i < acc.length; i++) acc[i] += add[i];
    }
  }
}
