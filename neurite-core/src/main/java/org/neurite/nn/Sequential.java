package org.neurite.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * Layers applied in order. Children are named {@code layers.0}, {@code layers.1}, ..., so parameters
 * are {@code layers.0.weight} as in a PyTorch {@code nn.Sequential} held in a field named layers.
 *
 * <pre>{@code
 * var model = Sequential.of(new Conv2D(32, 3).relu(), new MaxPool2D(2), new Flatten(), new Dense(10).softmax())
 *     .input(1, 28, 28);
 * System.out.println(model.summary());
 * }</pre>
 *
 * A padding mask from a {@link MaskSource} (an Embedding with a padding index) travels to every
 * {@link MaskAware} layer after it, until a layer's output loses the time axis.
 */
public final class Sequential extends Module {
  private final List<Module> layers = new ArrayList<>();

  public static Sequential of(Module... layers) {
    Sequential s = new Sequential();
    for (Module m : layers) s.add(m);
    return s;
  }

  /** Appends a layer (before the model is built). */
  public Sequential add(Module layer) {
    if (isBuilt()) throw new IllegalStateException("Sequential: cannot add " + layer + " after the model is built");
    layers.add(child("layers." + layers.size(), layer));
    return this;
  }

  /** Declares the per-sample input shape (no batch axis) and builds every layer. */
  public Sequential input(int... shape) {
    buildFor(shape);
    return this;
  }

  public List<Module> layers() {
    return List.copyOf(layers);
  }

  @Override
  protected int[] build(int[] in) {
    if (layers.isEmpty()) throw new IllegalStateException("Sequential: no layers");
    int[] s = in;
    for (int i = 0; i < layers.size(); i++) {
      try {
        s = layers.get(i).buildFor(s);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("layers." + i + " " + e.getMessage(), e);
      }
    }
    return s;
  }

  /** How one layer is applied to its input and the padding mask in force (null when none). */
  @FunctionalInterface
  public interface Step {
    Tensor apply(Module layer, Tensor input, Tensor mask);

    /** The plain application: the mask goes to layers that take one. */
    static Tensor plain(Module layer, Tensor input, Tensor mask) {
      return mask != null && layer instanceof MaskAware m ? m.forward(input, mask) : layer.forward(input);
    }
  }

  @Override
  public Tensor forward(Tensor x) {
    return forward(x, Step::plain);
  }

  /**
   * The forward pass with each layer applied by {@code step}, the masks travelling as in
   * {@link #forward(Tensor)}: for callers that want more from a layer than its output, such as the
   * attention weights of an {@link AttentionPooling}.
   */
  public Tensor forward(Tensor x, Step step) {
    ensureBuilt(x);
    Tensor h = x, mask = null;
    for (int i = 0; i < layers.size(); i++) {
      Module layer = layers.get(i);
      try {
        Tensor in = h;
        h = step.apply(layer, h, mask);
        if (layer instanceof MaskSource s) mask = s.computeMask(in);
        else if (mask != null && (h.rank() < 3 || h.shape(1) != mask.shape(1))) mask = null;   // the time axis is gone
      } catch (IllegalArgumentException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("layers.")) throw e;
        throw new IllegalArgumentException("layers." + i + " " + e.getMessage(), e);
      }
    }
    return h;
  }

  /** A Keras-style table: layer, output shape (with the batch axis as None), parameter count. */
  public String summary() {
    if (!isBuilt()) throw new IllegalStateException("summary: the model is not built; call input(...) with the sample shape first");
    int w = 24;
    for (int i = 0; i < layers.size(); i++) w = Math.max(w, ("layers." + i + " " + layers.get(i)).length());
    String row = "%-" + w + "s  %-22s %12s%n";
    String rule = "=".repeat(w + 38) + "\n";
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, row, "Layer (type)", "Output Shape", "Param #")).append(rule);
    sb.append(String.format(Locale.ROOT, row, "input", shape(inputShape()), "0"));
    for (int i = 0; i < layers.size(); i++) {
      Module m = layers.get(i);
      sb.append(String.format(Locale.ROOT, row, "layers." + i + " " + m, shape(m.outputShape()),
          String.format(Locale.ROOT, "%,d", m.parameterCount())));
    }
    sb.append(rule).append(String.format(Locale.ROOT, "Total params: %,d%n", parameterCount()));
    return sb.toString();
  }

  private static String shape(int[] s) {
    return "(None" + (s.length == 0 ? "" : ", " + Shape.str(s).substring(1, Shape.str(s).length() - 1)) + ")";
  }

  @Override
  public String toString() {
    return "Sequential" + Arrays.toString(layers.toArray());
  }
}
