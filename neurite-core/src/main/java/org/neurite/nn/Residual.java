package org.neurite.nn;

import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * A residual connection (He et al., 2016): {@code activation(body(x) + shortcut(x))}, where the
 * shortcut is the identity unless given (a strided 1x1 convolution and BatchNorm where the body
 * changes the shape). ResNet's basic block is {@code new Residual(body, downsample).relu()};
 * MobileNetV2's inverted residual is a Residual with no activation.
 *
 * <p>Parameters are the body's and the shortcut's, under "body." and "shortcut.".
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class Residual extends Layer {
  /** Everything needed to rebuild this layer besides its two branches. */
  public record Config(Activation activation) {}

  private final Sequential body, shortcut;

  /** An identity shortcut: the body must keep the shape. */
  public Residual(Sequential body) {
    this(body, null);
  }

  /** {@code shortcut} null means the identity. */
  public Residual(Sequential body, Sequential shortcut) {
    this.body = child("body", body);
    this.shortcut = shortcut == null ? null : child("shortcut", shortcut);
  }

  /** The block {@code c} describes around the two branches (shortcut null: the identity). */
  public static Residual of(Config c, Sequential body, Sequential shortcut) {
    return new Residual(body, shortcut).activation(c.activation());
  }

  public Residual relu() { return activate(Activation.RELU); }
  public Residual activation(Activation a) { return activate(a); }

  public Config config() {
    return new Config(activation);
  }

  public Sequential body() {
    return body;
  }

  /** The shortcut branch, or null for the identity. */
  public Sequential shortcut() {
    return shortcut;
  }

  @Override
  protected int[] build(int[] in) {
    int[] out;
    try {
      out = body.buildFor(in);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("body." + e.getMessage(), e);
    }
    int[] side = shortcut == null ? in : shortcut.buildFor(in);
    if (!Shape.same(out, side))
      throw new IllegalArgumentException(this + ": the body gives " + Shape.str(out) + " per sample but the "
          + (shortcut == null ? "identity shortcut passes " : "shortcut gives ") + Shape.str(side)
          + "; the two must match to be added" + (shortcut == null ? " (give a shortcut that projects the input)" : ""));
    return out;
  }

  @Override
  protected Tensor compute(Tensor x) {
    Tensor y = body.forward(x);
    return y.add(shortcut == null ? x : shortcut.forward(x));
  }

  @Override
  public String toString() {
    return "Residual(" + body.layers().size() + " layers" + (shortcut == null ? "" : ", projection shortcut") + activationSuffix() + ")";
  }
}
