package org.neurite.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.neurite.optim.Optimizer;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * A layer or a model: named parameters, named sub-modules, a train/eval mode and a {@link #forward}.
 * Parameter names follow PyTorch's {@code state_dict} ({@code layers.0.weight}), so weights map one to
 * one onto PyTorch models and ONNX graphs.
 *
 * <p>Shapes are per sample (no batch axis). A layer creates its weights in {@link #build(int[])} once
 * it knows its input shape (as Keras does), either when a {@link Sequential} is given its input shape
 * or lazily at the first {@code forward}. Custom models subclass Module, register parameters with
 * {@link #param} and children with {@link #child}, and implement {@code forward}, as in PyTorch.
 *
 * <p>Not thread-safe: parameters, gradients, the train/eval flag and the lazily built shapes are
 * unsynchronised mutable state. The one concurrent use supported, unless a subclass says otherwise, is
 * {@link #predict} (and {@link Inference#of}) from many threads on a model that no thread is training or
 * changing.
 */
public abstract class Module {
  private final Map<String, Tensor> params = new LinkedHashMap<>();
  private final Map<String, Module> children = new LinkedHashMap<>();
  private final Map<String, Tensor> buffers = new LinkedHashMap<>();
  private boolean training = true;
  private int[] inputShape;
  private int[] outputShape;

  private Training compiled;

  /** For subclasses: a module with no parameters, no children, in training mode. */
  public Module() {}

  /**
   * Computes the output for a batch; shapes include the batch axis.
   *
   * @param x the batch {@code [N, ...]}
   * @return the output {@code [N, ...]}
   */
  public abstract Tensor forward(Tensor x);

  /**
   * Creates weights for a per-sample input shape and returns the per-sample output shape. The
   * default suits parameter-free, shape-preserving layers.
   *
   * @param inputShape the per-sample input shape
   * @return the per-sample output shape
   */
  protected int[] build(int[] inputShape) {
    return inputShape;
  }

  /**
   * Builds once for {@code inputShape} (per sample); a second call with another shape is an error.
   *
   * @param inputShape the per-sample input shape
   * @return the per-sample output shape
   * @throws IllegalArgumentException if already built for another shape
   */
  public final int[] buildFor(int[] inputShape) {
    if (this.inputShape != null) {
      if (!Shape.same(this.inputShape, inputShape))
        throw new IllegalArgumentException(this + ": built for input " + Shape.str(this.inputShape) + " per sample, got "
            + Shape.str(inputShape));
      return outputShape.clone();
    }
    int[] out = build(inputShape.clone());
    this.inputShape = inputShape.clone();
    this.outputShape = out.clone();
    return out;
  }

  /**
   * Builds from a batch's shape if not built yet (the lazy path of a first {@code forward}).
   *
   * @param batch a batch {@code [N, ...]}
   */
  protected final void ensureBuilt(Tensor batch) {
    if (inputShape == null) {
      int[] s = batch.shape();
      buildFor(java.util.Arrays.copyOfRange(s, 1, s.length));
    }
  }

  /**
   * Builds for a batch {@code [N, ...]} if not built yet, leaving the model's state as it was: a module
   * that {@link #infersShapes} builds from the shape alone; any other runs one forward pass in
   * evaluation mode without a graph, each module's mode restored after. A lazy build by a training
   * forward would move BatchNorm's running statistics on that batch and draw from dropout's generator.
   *
   * @param batch a batch {@code [N, ...]}; only its shape is read when the module infers shapes
   */
  public final void buildFrom(Tensor batch) {
    if (isBuilt()) return;
    if (infersShapes()) {
      ensureBuilt(batch);
      return;
    }
    Map<Module, Boolean> modes = new LinkedHashMap<>();   // parents before children, as train() propagates
    collectModes(modes);
    try (var g = org.neurite.autograd.GradMode.off()) {
      train(false);
      forward(batch);
    } finally {
      modes.forEach((m, on) -> m.train(on));
    }
  }

  private void collectModes(Map<Module, Boolean> out) {
    out.put(this, training);
    children.values().forEach(c -> c.collectModes(out));
  }

  /**
   * Whether {@link #build} alone creates every weight, so a lazy build needs only the input's shape;
   * false by default, as a custom module may create its children in {@code forward}.
   *
   * @return true for layers and containers whose build covers their children
   */
  protected boolean infersShapes() {
    return false;
  }

  /** {@return whether the module knows its input shape and has its weights} */
  public boolean isBuilt() {
    return inputShape != null;
  }

  /**
   * The per-sample input shape, or null before building.
   *
   * @return a copy of the shape, or null
   */
  public int[] inputShape() {
    return inputShape == null ? null : inputShape.clone();
  }

  /**
   * The per-sample output shape, or null before building.
   *
   * @return a copy of the shape, or null
   */
  public int[] outputShape() {
    return outputShape == null ? null : outputShape.clone();
  }

  /**
   * Registers a trainable parameter under {@code name}; returns it with requiresGrad on.
   *
   * @param name the parameter's name in this module
   * @param value its initial value
   * @return {@code value}
   */
  protected final Tensor param(String name, Tensor value) {
    counted(value.shape());
    params.put(name, value.requiresGrad(true));
    return value;
  }

  /**
   * Registers a trainable parameter of {@code shape} whose initial value {@code init} makes; in a
   * {@link #shapeOnly} build nothing is made and the result is null.
   *
   * @param name the parameter's name in this module
   * @param shape its shape
   * @param init makes its initial value, of that shape
   * @return the parameter, or null in a shape-only build
   */
  protected final Tensor param(String name, int[] shape, Supplier<Tensor> init) {
    return counted(shape) ? null : param(name, init.get());
  }

  /**
   * Registers state that is saved but not trained (BatchNorm's running statistics).
   *
   * @param name the buffer's name in this module
   * @param value its initial value
   * @return {@code value}
   */
  protected final Tensor buffer(String name, Tensor value) {
    counted(value.shape());
    buffers.put(name, value);
    return value;
  }

  /**
   * Registers a buffer of {@code shape} made by {@code init}; null in a {@link #shapeOnly} build.
   *
   * @param name the buffer's name in this module
   * @param shape its shape
   * @param init makes its initial value
   * @return the buffer, or null in a shape-only build
   */
  protected final Tensor buffer(String name, int[] shape, Supplier<Tensor> init) {
    return counted(shape) ? null : buffer(name, init.get());
  }

  /**
   * An array the build needs that is neither parameter nor buffer (a fixed table); null in a
   * {@link #shapeOnly} build, which counts it instead.
   *
   * @param shape its shape
   * @param make makes it
   * @return the tensor, or null in a shape-only build
   */
  protected final Tensor allocate(int[] shape, Supplier<Tensor> make) {
    return counted(shape) ? null : make.get();
  }

  // ---------------------------------------------------------------- shape-only builds (PyTorch's meta device)

  /** The running count of the shape-only build on this thread, or null outside one. */
  private static final ThreadLocal<long[]> SHAPE_ONLY = new ThreadLocal<>();

  /** In a shape-only build, adds {@code shape}'s elements to the count and says true (make nothing). */
  private static boolean counted(int[] shape) {
    long[] count = SHAPE_ONLY.get();
    if (count == null) return false;
    long n = 1;
    for (int d : shape) {
      if (d < 0) throw new IllegalArgumentException("a negative size in " + Shape.str(shape));
      n = Math.multiplyExact(n, d);
    }
    count[0] = Math.addExact(count[0], n);
    return true;
  }

  /**
   * Runs {@code build} as a shape-only build, as PyTorch's meta device does: the modules it constructs
   * and builds run their own shape inference, but their parameters, buffers and tables are counted, not
   * allocated (and the thread's {@link Seeds} are left as they were). So the memory a config asks for
   * is known exactly, without a second copy of each layer's shape arithmetic, before a byte of it is
   * allocated. What {@code build} makes has no weights: count with it, then drop it.
   *
   * @param build constructs modules and builds them for a shape
   * @return the elements their arrays would hold, up to where {@code build} threw if it did (the real
   *     build then reports the error); -1 if the count overflows a long
   */
  public static long shapeOnly(Runnable build) {
    long[] count = {0}, outer = SHAPE_ONLY.get();
    SHAPE_ONLY.set(count);
    org.neurite.tensor.Rng seeds = Seeds.swap(new org.neurite.tensor.Rng(0));
    try {
      build.run();
    } catch (ArithmeticException e) {
      return -1;
    } catch (RuntimeException e) {
      // a config the layers refuse: counted as far as it goes
    } finally {
      SHAPE_ONLY.set(outer);
      Seeds.swap(seeds);
    }
    return count[0];
  }

  /**
   * Registers a sub-module under {@code name}, in this module's mode; returns it.
   *
   * @param <M> the module's type
   * @param name the child's name in this module
   * @param module the child
   * @return {@code module}
   */
  protected final <M extends Module> M child(String name, M module) {
    if (module.isTraining() != training) module.train(training);   // a child made in an evaluation forward evaluates too
    children.put(name, module);
    return module;
  }

  /**
   * Trainable parameters by dotted name, depth first in registration order.
   *
   * @return the parameters, the module's own tensors
   */
  public final Map<String, Tensor> namedParameters() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    collect("", out, false);
    return out;
  }

  /**
   * Everything a checkpoint holds: parameters and buffers by dotted name (PyTorch's state_dict).
   *
   * @return the tensors, the module's own (not copies)
   */
  public final Map<String, Tensor> stateDict() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    collect("", out, true);
    return out;
  }

  private void collect(String prefix, Map<String, Tensor> out, boolean withBuffers) {
    params.forEach((k, v) -> out.put(prefix + k, v));
    if (withBuffers) buffers.forEach((k, v) -> out.put(prefix + k, v));
    children.forEach((k, m) -> m.collect(prefix + k + ".", out, withBuffers));
  }

  /**
   * Stops training the parameters named {@code prefix} or under it ({@code "layers.3"} holds
   * {@code layers.3.weight}, not {@code layers.30.weight}); with no prefix, all of them. A frozen
   * parameter gets no gradient, so optimizers leave it alone and backward does not descend into layers
   * whose parameters are all frozen. BatchNorm with frozen parameters also keeps its running statistics
   * (Keras' {@code trainable = False}): a frozen backbone stays the network it was trained as.
   *
   * @param prefixes dotted names of parameters or of modules; none: all parameters
   * @return this
   */
  public Module freeze(String... prefixes) {
    setTrainable(false, prefixes);
    return this;
  }

  /**
   * Trains again the parameters named {@code prefix} or under it; with no prefix, all of them.
   *
   * @param prefixes dotted names of parameters or of modules; none: all parameters
   * @return this
   */
  public Module unfreeze(String... prefixes) {
    setTrainable(true, prefixes);
    return this;
  }

  private void setTrainable(boolean on, String... prefixes) {
    Map<String, Tensor> all = namedParameters();
    if (prefixes.length == 0) {
      all.values().forEach(p -> p.requiresGrad(on));
      return;
    }
    for (String prefix : prefixes) {
      List<Tensor> hit = parametersUnder(prefix);
      for (Tensor p : hit) p.requiresGrad(on);
    }
  }

  /**
   * The parameters named {@code prefix} or under it, e.g. to give them their own learning rate
   * ({@link Optimizer#learningRate(java.util.Collection, float)}). A prefix that names nothing is an
   * error listing the top-level names, since a misspelt prefix would otherwise silently train (or
   * freeze) the wrong layers.
   *
   * @param prefix a dotted name of a parameter or a module
   * @return the parameters named so or under it
   * @throws IllegalArgumentException if no parameter matches
   */
  public final List<Tensor> parametersUnder(String prefix) {
    String p = prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
    List<Tensor> out = new ArrayList<>();
    namedParameters().forEach((name, t) -> {
      if (name.equals(p) || name.startsWith(p + ".")) out.add(t);
    });
    if (out.isEmpty()) {
      java.util.Set<String> tops = new java.util.LinkedHashSet<>();
      for (String name : namedParameters().keySet()) {
        int dot = name.indexOf('.', name.startsWith("layers.") ? 7 : 0);
        tops.add(dot < 0 ? name : name.substring(0, dot));
      }
      throw new IllegalArgumentException("no parameter is named \"" + prefix + "\" or starts with \"" + p + ".\"; the model has "
          + (tops.isEmpty() ? "no parameters" : String.join(", ", tops)));
    }
    return out;
  }

  /**
   * The parameters that train (not frozen), by dotted name.
   *
   * @return the parameters that are not frozen
   */
  public final Map<String, Tensor> trainableParameters() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    namedParameters().forEach((k, v) -> {
      if (v.requiresGrad()) out.put(k, v);
    });
    return out;
  }

  /** {@return every parameter, frozen or not, in {@link #namedParameters} order} */
  public final List<Tensor> parameters() {
    return new ArrayList<>(namedParameters().values());
  }

  /**
   * Number of parameter values, frozen or not (Keras' total params).
   *
   * @return the count
   */
  public final long parameterCount() {
    long n = 0;
    for (Tensor p : parameters()) n += p.size();
    return n;
  }

  /** {@return the direct sub-modules by name, in registration order} */
  public final Map<String, Module> children() {
    return java.util.Collections.unmodifiableMap(children);
  }

  /**
   * Training mode (dropout active, batch statistics) or evaluation mode; applies to all children.
   *
   * @param on true for training mode, false for evaluation
   * @return this
   */
  public Module train(boolean on) {
    training = on;
    children.values().forEach(c -> c.train(on));
    return this;
  }

  /**
   * Evaluation mode: {@code train(false)}.
   *
   * @return this
   */
  public Module eval() {
    return train(false);
  }

  /**
   * Whether the output keeps the input's time axis (axis 1 of a sequence {@code [N, T, ...]}), so that the
   * input's padding mask still describes it. {@link Sequential} hands a mask on from layer to layer until
   * one says false: a pooling over time, a recurrent layer that returns its last state, Flatten. True by
   * default; a custom layer that removes or reorders the time axis overrides it.
   *
   * @return whether a padding mask of the input applies to the output
   */
  public boolean keepsTimeAxis() {
    return true;
  }

  /** {@return whether the module is in training mode} */
  public boolean isTraining() {
    return training;
  }

  /** Clears every parameter's gradient. */
  public void zeroGrad() {
    for (Tensor p : parameters()) p.zeroGrad();
  }

  /**
   * Copies values from {@code state} (same names and shapes) into this module's parameters and
   * buffers; a missing, extra or misshapen tensor is an error naming it.
   *
   * @param state tensors by dotted name
   * @throws IllegalArgumentException naming the first missing, extra or misshapen tensor
   */
  public void loadStateDict(Map<String, Tensor> state) {
    Map<String, Tensor> mine = stateDict();
    // Every name and shape is checked before the first copy: a rejected state leaves the model as it was.
    for (var e : mine.entrySet()) {
      Tensor src = state.get(e.getKey());
      if (src == null) throw new IllegalArgumentException("load: tensor \"" + e.getKey() + "\" is missing");
      if (!Shape.same(src.shape(), e.getValue().shape()))
        throw new IllegalArgumentException("load: tensor \"" + e.getKey() + "\" has shape " + Shape.str(src.shape())
            + ", the model expects " + Shape.str(e.getValue().shape()));
    }
    for (String k : state.keySet())
      if (!mine.containsKey(k)) throw new IllegalArgumentException("load: unexpected tensor \"" + k + "\" for this model");
    for (var e : mine.entrySet()) {
      Tensor src = state.get(e.getKey());
      System.arraycopy(src.data(), 0, e.getValue().storage(), 0, src.size());
      e.getValue().bumpVersion();
    }
  }

  // ---------------------------------------------------------------- Keras-style training (provided by train)

  /**
   * Sets the optimizer, loss and metrics that {@link #fit} uses (Keras' compile).
   *
   * @param optimizer the optimizer; {@code fit} attaches it to this module's parameters
   * @param loss the training objective ({@code train.Losses})
   * @param metrics metrics to log each epoch ({@code train.Metrics})
   * @return this
   */
  public Module compile(Optimizer optimizer, Training.Loss loss, Training.Metric... metrics) {
    compiled = Training.Factory.get().compile(this, optimizer, loss, metrics);
    return this;
  }

  /**
   * Keras' string form: {@code compile("adam", "sparse_categorical_crossentropy", "accuracy")}, with
   * Keras' default hyperparameters.
   *
   * @param optimizer an optimizer name ({@link org.neurite.optim.Optimizers#byName})
   * @param loss a loss name ({@code train.Losses.byName})
   * @param metrics metric names ({@code train.Metrics.byName})
   * @return this
   */
  public Module compile(String optimizer, String loss, String... metrics) {
    compiled = Training.Factory.get().compile(this, optimizer, loss, metrics);
    return this;
  }

  /**
   * The training set by {@link #compile} ({@code train.Trainer.of(model)} gives it as a Trainer).
   *
   * @return the training
   * @throws IllegalStateException if the module is not compiled
   */
  public Training training() {
    if (compiled == null)
      throw new IllegalStateException(this + ": not compiled; call compile(optimizer, loss, metrics...) before fit or evaluate");
    return compiled;
  }

  /**
   * Trains on inputs {@code [N, ...]} and targets {@code [N, ...]}.
   *
   * @param <R> what a fit returns ({@code train.History} for {@code train.Fit})
   * @param x the inputs
   * @param y the targets
   * @param options epochs, batch size, validation, callbacks... ({@code Fit.epochs(10)})
   * @return each epoch's logs
   */
  public <R> R fit(Tensor x, Tensor y, Training.Options<R> options) {
    return training().fit(training().data(x, y), options);
  }

  /**
   * Trains on {@code data} with the compiled optimizer, loss and metrics.
   *
   * @param <R> what a fit returns ({@code train.History} for {@code train.Fit})
   * @param data the training set
   * @param options epochs, batch size, validation, callbacks...
   * @return each epoch's logs
   */
  public <R> R fit(Training.Data data, Training.Options<R> options) {
    return training().fit(data, options);
  }

  /**
   * Loss and metrics on a dataset, in evaluation mode.
   *
   * @param x the inputs {@code [N, ...]}
   * @param y the targets {@code [N, ...]}
   * @return "loss" and each metric, by name
   */
  public Map<String, Double> evaluate(Tensor x, Tensor y) {
    return training().evaluate(training().data(x, y), 256);
  }

  /**
   * Loss and metrics on a dataset, in evaluation mode.
   *
   * @param data the dataset
   * @return "loss" and each metric, by name
   */
  public Map<String, Double> evaluate(Training.Data data) {
    return training().evaluate(data, 256);
  }

  /**
   * Outputs for inputs {@code [N, ...]}, in evaluation mode without a graph.
   *
   * @param x the inputs {@code [N, ...]}
   * @return the outputs {@code [N, ...]}
   */
  public Tensor predict(Tensor x) {
    return Inference.predict(this, x, 256);
  }
}
