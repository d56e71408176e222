package org.neurite.optim;

import java.util.List;
import java.util.Map;
import org.neurite.tensor.Tensor;

/**
 * Updates parameters in place from their accumulated gradients. Parameters without a gradient (not
 * reached by the last backward) are left alone, as in PyTorch.
 *
 * <p>Two ways to bind parameters: PyTorch's, passing them to the constructor, or Keras', creating the
 * optimizer alone and letting {@code compile}/{@code fit} {@link #attach} the model's parameters.
 * Per-parameter state (moments) is created at the parameter's first step with a gradient, as in
 * PyTorch, and {@link #state()} names it as PyTorch's {@code state_dict} does ({@code 0.exp_avg}).
 *
 * <p>Gradient clipping as an option, Keras style ({@link #clipNorm}, {@link #clipValue}): each
 * subclass's {@code step} starts with {@link #clipGradients()}. Not a schedule: learning-rate
 * schedules set {@link #setLearningRate} from outside.
 *
 * <p>Not thread-safe: {@code step} updates the parameters and the moment state in place; drive one
 * optimizer from one thread.
 */
public abstract class Optimizer {
  private List<Tensor> params;
  /** The base learning rate; subclasses read it in {@code step} through {@link #learningRate(Tensor)}. */
  protected float learningRate;
  private double clipNorm, clipValue;   // 0 = off
  private final java.util.IdentityHashMap<Tensor, Float> rateScale = new java.util.IdentityHashMap<>();

  /**
   * An optimizer with no parameters attached yet.
   *
   * @param learningRate the base learning rate, {@code > 0}
   * @throws IllegalArgumentException if it is not
   */
  protected Optimizer(float learningRate) {
    checkRate(getClass().getSimpleName(), learningRate);
    this.learningRate = learningRate;
  }

  /**
   * Binds the parameters to update; once bound, binding other ones is an error.
   *
   * @param parameters dense leaf tensors
   * @return this
   * @throws IllegalArgumentException if a parameter is not a dense leaf
   * @throws IllegalStateException if other parameters are attached already
   */
  public Optimizer attach(List<Tensor> parameters) {
    for (Tensor p : parameters)
      if (!p.isDense() || !p.isLeaf())
        throw new IllegalArgumentException(getClass().getSimpleName() + ": parameters must be dense leaf tensors, got " + p);
    if (params != null && !params.equals(parameters))
      throw new IllegalStateException(getClass().getSimpleName() + ": already attached to other parameters");
    params = List.copyOf(parameters);
    return this;
  }

  /**
   * The attached parameters, for {@code step}.
   *
   * @return the parameters
   * @throws IllegalStateException if none are attached
   */
  protected final List<Tensor> params() {
    if (params == null)
      throw new IllegalStateException(getClass().getSimpleName() + ": no parameters; pass them to the constructor, attach "
          + "them, or compile a model with this optimizer");
    return params;
  }

  /** Applies one update from the current gradients. */
  public abstract void step();

  /** Clears every parameter's gradient, keeping the arrays for the next backward ({@link Tensor#recycleGrad}). */
  public void zeroGrad() {
    for (Tensor p : params()) p.recycleGrad();
  }

  /** {@return the base learning rate} */
  public float learningRate() {
    return learningRate;
  }

  /**
   * Gives {@code group} its own learning rate, PyTorch's parameter groups ({@code [{'params': backbone,
   * 'lr': 1e-4}, {'params': head}]}): the usual way to fine-tune a pretrained backbone more gently than
   * a new head. The group keeps its ratio to the base rate, so a schedule that changes the base rate
   * scales every group alike. A later call for the same parameter replaces its rate.
   *
   * @param group the parameters of the group
   * @param lr their learning rate, {@code > 0}
   * @return this
   */
  public Optimizer learningRate(java.util.Collection<Tensor> group, float lr) {
    checkRate(getClass().getSimpleName() + " group", lr);
    if (learningRate == 0)
      throw new IllegalStateException(getClass().getSimpleName() + ": set group rates while the base rate is above 0");
    for (Tensor p : group) rateScale.put(p, lr / learningRate);
    return this;
  }

  /**
   * The rate that applies to {@code p} now: the base rate, times its group's ratio.
   *
   * @param p a parameter
   * @return its learning rate
   */
  public final float learningRate(Tensor p) {
    Float s = rateScale.get(p);
    return s == null ? learningRate : learningRate * s;
  }

  /**
   * Sets the learning rate (schedules call this between steps); 0 is allowed, as a cosine schedule ends
   * there.
   *
   * @param lr the new base rate, {@code >= 0}
   */
  public void setLearningRate(float lr) {
    if (!(lr >= 0) || !Float.isFinite(lr))
      throw new IllegalArgumentException(getClass().getSimpleName() + ": learningRate (" + lr + ") must be >= 0");
    learningRate = lr;
  }

  /**
   * Before each step, rescales all gradients together so that their global L2 norm is at most
   * {@code maxNorm} ({@link GradClip#byNorm}); 0 turns it off. This is Keras' {@code global_clipnorm}
   * and PyTorch's {@code clip_grad_norm_}, not Keras' per-tensor {@code clipnorm}: one global factor
   * keeps the update's direction.
   *
   * @param maxNorm the largest global norm, {@code >= 0} (0: off)
   * @return this
   */
  public Optimizer clipNorm(double maxNorm) {
    if (!(maxNorm >= 0) || Double.isInfinite(maxNorm))
      throw new IllegalArgumentException(getClass().getSimpleName() + ": clipNorm (" + maxNorm + ") must be >= 0 (0 = off)");
    clipNorm = maxNorm;
    return this;
  }

  /**
   * Before each step, clamps every gradient element to [-clip, clip] ({@link GradClip#byValue}); 0 turns it
   * off.
   *
   * @param clip the bound, {@code >= 0} (0: off)
   * @return this
   */
  public Optimizer clipValue(double clip) {
    if (!(clip >= 0) || Double.isInfinite(clip))
      throw new IllegalArgumentException(getClass().getSimpleName() + ": clipValue (" + clip + ") must be >= 0 (0 = off)");
    clipValue = clip;
    return this;
  }

  /** Applies the clipping options to the gradients; every {@code step} calls it first. Value clipping comes first, as in Keras. */
  protected final void clipGradients() {
    if (clipValue > 0) GradClip.byValue(params(), clipValue);
    if (clipNorm > 0) GradClip.byNorm(params(), clipNorm);
  }

  /**
   * The optimizer's state (moments, step counts) by name, for checkpoints.
   *
   * @return the state tensors, named as PyTorch's {@code state_dict} names them
   */
  public abstract Map<String, Tensor> state();

  /**
   * Restores what {@link #state()} returned; the parameters must be attached first.
   *
   * @param state the tensors {@link #state()} returned
   */
  public abstract void loadState(Map<String, Tensor> state);

  static void checkRate(String who, float lr) {
    if (!(lr > 0) || !Float.isFinite(lr)) throw new IllegalArgumentException(who + ": learningRate (" + lr + ") must be > 0");
  }

  /** Throws {@code who: name (value) must be in [lo, hi)} unless lo <= value < hi. */
  static void checkRange(String who, String name, float value, float lo, float hi) {
    if (!(value >= lo && value < hi))
      throw new IllegalArgumentException(who + ": " + name + " (" + value + ") must be in [" + lo + ", " + hi + ")");
  }

  /** Throws {@code who: name (value) must be >= 0} unless it is a finite non-negative number. */
  static void checkNonNegative(String who, String name, float value) {
    if (!(value >= 0) || Float.isInfinite(value))
      throw new IllegalArgumentException(who + ": " + name + " (" + value + ") must be >= 0");
  }

  // ---------------------------------------------------------------- per-parameter state as PyTorch names it

  /** Puts {@code <i>.<name>} for every parameter whose buffer exists. */
  static void putBuffers(Map<String, Tensor> out, String name, float[][] buffers) {
    if (buffers == null) return;
    for (int i = 0; i < buffers.length; i++)
      if (buffers[i] != null) out.put(i + "." + name, Tensor.of(buffers[i].clone(), buffers[i].length));
  }

  /**
   * Reads {@code <i>.<name>} for every attached parameter into a new array of buffers (null where the
   * state has none); a buffer of the wrong size is an error naming it.
   */
  final float[][] loadBuffers(Map<String, Tensor> state, String name) {
    List<Tensor> ps = params();
    float[][] out = new float[ps.size()][];
    for (int i = 0; i < out.length; i++) {
      Tensor t = state.get(i + "." + name);
      if (t == null) continue;
      if (t.size() != ps.get(i).size())
        throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer state \"" + i + "." + name + "\" has "
            + t.size() + " values, parameter " + i + " has " + ps.get(i).size());
      out[i] = t.toArray();
    }
    if (state.containsKey(out.length + "." + name))   // saved for more parameters than are attached
      throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer state has \"" + out.length + "." + name
          + "\", but only " + out.length + " parameters are attached");
    return out;
  }
}
