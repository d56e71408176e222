package org.neurite.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import org.neurite.ops.Convolution;
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
 * {@link MaskAware} layer after it, until a layer says its output has no time axis ({@link Module#keepsTimeAxis}).
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class Sequential extends Module {
  private final List<Module> layers = new ArrayList<>();

  /** An empty model; {@link #add} the layers, or use {@link #of}. */
  public Sequential() {}

  /**
   * A model of these layers.
   *
   * @param layers the layers, in order
   * @return the model, not built yet
   */
  public static Sequential of(Module... layers) {
    Sequential s = new Sequential();
    for (Module m : layers) s.add(m);
    return s;
  }

  /**
   * Appends a layer (before the model is built).
   *
   * @param layer the layer
   * @return this
   * @throws IllegalStateException if the model is built
   */
  public Sequential add(Module layer) {
    if (isBuilt()) throw new IllegalStateException("Sequential: cannot add " + layer + " after the model is built");
    layers.add(child("layers." + layers.size(), layer));
    return this;
  }

  /**
   * Declares the per-sample input shape (no batch axis) and builds every layer.
   *
   * @param shape the per-sample input shape
   * @return this
   */
  public Sequential input(int... shape) {
    buildFor(shape);
    return this;
  }

  /** {@return the layers, in order (an unmodifiable copy of the list)} */
  public List<Module> layers() {
    return List.copyOf(layers);
  }

  @Override
  protected boolean infersShapes() {
    for (Module m : layers) if (!m.infersShapes()) return false;
    return true;
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
    /**
     * Applies {@code layer}.
     *
     * @param layer the layer
     * @param input its input
     * @param mask the padding mask {@code [N, T]}, or null
     * @return the layer's output
     */
    Tensor apply(Module layer, Tensor input, Tensor mask);

    /**
     * The plain application: the mask goes to layers that take one.
     *
     * @param layer the layer
     * @param input its input
     * @param mask the padding mask, or null
     * @return the layer's output
     */
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
   *
   * @param x the batch {@code [N, ...]}
   * @param step how each layer is applied
   * @return the last layer's output
   */
  public Tensor forward(Tensor x, Step step) {
    ensureBuilt(x);
    Tensor h = x, mask = null;
    for (int i = 0; i < layers.size(); i++) {
      Module layer = layers.get(i);
      try {
        if (mask != null && layer instanceof MaskAware && (h.rank() < 2 || h.shape(1) != mask.shape(1)))
          throw new IllegalArgumentException(layer + ": its input " + Shape.str(h.shape()) + " has not the " + mask.shape(1)
              + " steps of the padding mask; a layer before it changed the time axis without saying so (Module.keepsTimeAxis)");
        Tensor in = h;
        h = step.apply(layer, h, mask);
        if (layer instanceof MaskSource s) mask = s.computeMask(in);
        else if (!layer.keepsTimeAxis()) mask = null;
      } catch (IllegalArgumentException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("layers.")) throw e;
        throw new IllegalArgumentException("layers." + i + " " + e.getMessage(), e);
      }
    }
    return h;
  }

  /**
   * A new model with the same layers (their weights shared, not copied) except that layer
   * {@code index} is {@code replacement}, built for the same input shape. The fine-tuning step of
   * swapping a pretrained classifier for one with another number of classes:
   * {@code model.withLayer(-1, new Dense(5).softmax())}. A negative index counts from the end.
   *
   * @param index the layer to replace; negative counts from the end
   * @param replacement the new layer
   * @return the new model, built
   * @throws IllegalStateException if this model is not built
   * @throws IllegalArgumentException if the index is out of range
   */
  public Sequential withLayer(int index, Module replacement) {
    if (!isBuilt()) throw new IllegalStateException("withLayer: the model is not built; call input(...) first");
    int i = index < 0 ? layers.size() + index : index;
    if (i < 0 || i >= layers.size())
      throw new IllegalArgumentException("withLayer: index " + index + " is outside the model's " + layers.size() + " layers");
    Sequential s = new Sequential();
    for (int k = 0; k < layers.size(); k++) s.add(k == i ? replacement : layers.get(k));
    return s.input(inputShape());
  }

  /**
   * An inference copy of this model in which each {@link Conv2D} without an activation of its own that
   * is followed by a {@link BatchNorm} becomes one convolution with the normalisation folded into its
   * weights ({@link Convolution#foldBatchNorm}), and a ReLU {@link ActivationLayer} right after them runs
   * inside it: one op where there were two or three. Explicit, and safe for the model it is called on:
   * that model must be in evaluation mode (folding bakes in the running statistics, which training moves;
   * PyTorch's conv-bn fusion asks the same), its parameters are not touched (the folded convolutions get
   * new, frozen ones), and the other layers are shared, as {@link #withLayer} shares them. The copy is
   * in evaluation mode; it is for predictions, not for training. The branches of {@link Residual}
   * blocks are folded the same way (a ResNet's convolutions are all inside them).
   *
   * @return the folded copy, built
   * @throws IllegalStateException if the model is not built or is in training mode
   */
  public Sequential fuseForInference() {
    if (!isBuilt()) throw new IllegalStateException("fuseForInference: the model is not built; call input(...) first");
    if (isTraining())
      throw new IllegalStateException("fuseForInference: the model is in training mode; call eval() first (folding bakes in "
          + "the running statistics, which training moves)");
    List<Map.Entry<Conv2D, Tensor[]>> folded = new ArrayList<>();
    Sequential s = folded(layers, folded);
    // The folded layers' random initial weights are overwritten below: drawing them from the thread's
    // Seeds would shift every later seeded initialisation, so they come from a throwaway generator.
    org.neurite.tensor.Rng seeds = Seeds.swap(new org.neurite.tensor.Rng(0));
    try {
      s.input(inputShape());
    } finally {
      Seeds.swap(seeds);
    }
    for (var e : folded) {
      var p = e.getKey().namedParameters();
      for (int j = 0; j < 2; j++) {
        Tensor t = p.get(j == 0 ? "weight" : "bias");
        System.arraycopy(e.getValue()[j].data(), 0, t.storage(), t.offset(), t.size());
        t.requiresGrad(false);
      }
    }
    s.eval();
    return s;
  }

  /** {@code layers} with each Conv2D + BatchNorm (+ ReLU) as one new Conv2D, Residual blocks' branches too. */
  private static Sequential folded(List<Module> layers, List<Map.Entry<Conv2D, Tensor[]>> out) {
    Sequential s = new Sequential();
    for (int i = 0; i < layers.size(); i++) {
      Module m = layers.get(i);
      if (m instanceof Conv2D conv && conv.activation() == Activation.LINEAR && i + 1 < layers.size()
          && layers.get(i + 1) instanceof BatchNorm bn) {
        boolean relu = i + 2 < layers.size() && layers.get(i + 2) instanceof ActivationLayer a && a.activation() == Activation.RELU;
        var c = conv.config();
        Conv2D f = Conv2D.of(new Conv2D.Config(c.filters(), c.kernelSize(), c.stride(), c.padding(), c.dilation(), c.groups(),
            true, relu ? Activation.RELU : Activation.LINEAR, c.explicitPadding()));
        var p = conv.stateDict();
        var q = bn.stateDict();
        out.add(Map.entry(f, Convolution.foldBatchNorm(p.get("weight"), p.get("bias"), q.get("weight"), q.get("bias"),
            q.get("running_mean"), q.get("running_var"), bn.config().eps())));
        s.add(f);
        i += relu ? 2 : 1;
      } else if (m instanceof Residual r) {
        s.add(Residual.of(r.config(), folded(r.body().layers(), out),
            r.shortcut() == null ? null : folded(r.shortcut().layers(), out)));
      } else {
        s.add(m);
      }
    }
    return s;
  }

  /**
   * This model with its last Dense layer replaced by a new, randomly initialised one of
   * {@code classes} units (same activation and bias setting): a pretrained classifier made ready to
   * fine-tune on a task with another set of classes. Layers after that Dense (a Dropout, an
   * activation) stay.
   *
   * @param classes the new number of classes
   * @return the new model, built
   * @throws IllegalArgumentException if the model has no Dense layer
   */
  public Sequential withNewHead(int classes) {
    int i = headIndex();
    if (i < 0) throw new IllegalArgumentException("withNewHead: the model has no Dense layer to replace; use withLayer");
    var c = ((Dense) layers.get(i)).config();
    return withLayer(i, new Dense(classes, c.useBias()).activation(c.activation()));
  }

  /**
   * The index of the last Dense layer (the classifier a fine-tune replaces and trains), or -1.
   *
   * @return the index
   */
  public int headIndex() {
    for (int i = layers.size() - 1; i >= 0; i--) if (layers.get(i) instanceof Dense) return i;
    return -1;
  }

  /**
   * A Keras-style table: layer, output shape (with the batch axis as None), parameter count.
   *
   * @return the table
   * @throws IllegalStateException if the model is not built
   */
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
