package org.neurite.tensor;

import java.util.Arrays;
import org.neurite.autograd.Autograd;
import org.neurite.autograd.AutogradMeta;
import org.neurite.autograd.Node;
import org.neurite.ops.Activations;
import org.neurite.ops.Arithmetic;
import org.neurite.ops.Indexing;
import org.neurite.ops.Joining;
import org.neurite.ops.LinearAlgebra;
import org.neurite.ops.Reductions;
import org.neurite.ops.Views;

/**
 * An N-dimensional float32 tensor: a {@code float[]} storage read through an offset, a shape and
 * row-major strides. Views (reshape, permute, slice, expand, ...) share storage; every other op
 * returns a new contiguous tensor. Index tensors (labels, gather indices, argmax results) are float32
 * tensors holding whole numbers, exact up to 2^24.
 *
 * <p>Autograd: a tensor with {@code requiresGrad} records the ops that use it (while
 * {@link org.neurite.autograd.GradMode} is on), and {@link #backward()} fills the {@code grad} of the
 * leaves. The graph state (gradient, grad function) lives in {@link AutogradMeta}, not here; the
 * autograd methods below delegate to it. The instance methods here are the user-facing spelling of the
 * ops in {@code org.neurite.ops}, where each op's forward sits beside its backward.
 *
 * <p>Versions: views of one storage share a counter that every in-place write bumps
 * ({@link #bumpVersion}); a backward whose input was written in place after the forward throws. Reading
 * a tensor whose array a closed {@link Workspace} scope took back throws too.
 *
 * <p>Not thread-safe for concurrent mutation (gradient accumulation); concurrent reads are fine.
 */
public final class Tensor {
  private final float[] data;
  private final int offset;
  private final int[] shape;
  private final int[] strides;
  private final Storage shared;     // version counter and workspace lease, shared by views
  private AutogradMeta autograd;    // null until the tensor requires a gradient

  private Tensor(float[] data, int offset, int[] shape, int[] strides, Storage shared) {
    this.data = data;
    this.offset = offset;
    this.shape = shape;
    this.strides = strides;
    this.shared = shared;
  }

  private Tensor(float[] data, int offset, int[] shape, int[] strides) {
    this(data, offset, shape, strides, Storage.of(data));
  }

  // ---------------------------------------------------------------- creation

  /** A tensor over {@code data} (not copied) with the given shape. */
  public static Tensor of(float[] data, int... shape) {
    int n = Shape.size(shape);
    if (data.length != n)
      throw new IllegalArgumentException("Tensor.of: " + data.length + " values do not fill shape " + Shape.str(shape)
          + " (" + n + " elements)");
    return new Tensor(data, 0, shape.clone(), Shape.strides(shape));
  }

  /**
   * Low-level: a view of {@code data} with explicit offset and strides. For ops and kernels' callers;
   * users want {@link #of} or the view methods. The result has a version counter of its own: a view of
   * a tensor should be made with {@link #wrap(Tensor, int, int[], int[])}, which shares it.
   */
  public static Tensor wrap(float[] data, int offset, int[] shape, int[] strides) {
    return new Tensor(data, offset, shape, strides);
  }

  /**
   * Low-level: a view of {@code base}'s storage with explicit offset and strides, sharing its version
   * counter and workspace lease (what the view ops use).
   */
  public static Tensor wrap(Tensor base, int offset, int[] shape, int[] strides) {
    return new Tensor(base.data, offset, shape, strides, base.shared);
  }

  public static Tensor scalar(float value) {
    return new Tensor(new float[] {value}, 0, new int[0], new int[0]);
  }

  public static Tensor zeros(int... shape) {
    return of(new float[Shape.size(shape)], shape);
  }

  public static Tensor ones(int... shape) {
    return full(1f, shape);
  }

  public static Tensor full(float value, int... shape) {
    float[] d = new float[Shape.size(shape)];
    Arrays.fill(d, value);
    return of(d, shape);
  }

  /** A new zero tensor with the shape of {@code t}. */
  public static Tensor zerosLike(Tensor t) {
    return zeros(t.shape);
  }

  /** {@code [0, 1, ..., n - 1]}. */
  public static Tensor arange(int n) {
    return arange(0, n, 1);
  }

  /** Values from {@code start} (inclusive) to {@code end} (exclusive) by {@code step}, as torch.arange. */
  public static Tensor arange(double start, double end, double step) {
    if (step == 0 || !Double.isFinite(start) || !Double.isFinite(end))
      throw new IllegalArgumentException("arange: start=" + start + ", end=" + end + ", step=" + step + ": need finite bounds and step != 0");
    int n = (int) Math.max(0, Math.ceil((end - start) / step));
    float[] d = new float[n];
    for (int i = 0; i < n; i++) d[i] = (float) (start + i * step);
    return of(d, n);
  }

  /** Uniform in {@code [low, high)}. */
  public static Tensor uniform(Rng rng, float low, float high, int... shape) {
    float[] d = new float[Shape.size(shape)];
    for (int i = 0; i < d.length; i++) d[i] = low + (high - low) * rng.nextFloat();
    return of(d, shape);
  }

  /** Normal with the given mean and standard deviation. */
  public static Tensor normal(Rng rng, float mean, float std, int... shape) {
    float[] d = new float[Shape.size(shape)];
    for (int i = 0; i < d.length; i++) d[i] = (float) (mean + std * rng.nextGaussian());
    return of(d, shape);
  }

  /** Standard normal. */
  public static Tensor randn(Rng rng, int... shape) {
    return normal(rng, 0f, 1f, shape);
  }

  // ---------------------------------------------------------------- layout

  public int[] shape() {
    return shape.clone();
  }

  /** Size of dimension {@code axis} (negative counts from the end). */
  public int shape(int axis) {
    return shape[Shape.axis("shape", axis, shape.length)];
  }

  public int rank() {
    return shape.length;
  }

  /** Number of elements. */
  public int size() {
    return Shape.size(shape);
  }

  public int[] strides() {
    return strides.clone();
  }

  public int offset() {
    return offset;
  }

  /**
   * The storage, shared with views. Index it through {@link #offset()} and {@link #strides()}. Call
   * {@link #bumpVersion} after writing into it in place.
   *
   * @throws IllegalStateException when a closed workspace scope took the array back
   */
  public float[] storage() {
    shared.checkLive(this);
    return data;
  }

  /** How many in-place writes the storage has had (PyTorch's {@code _version}); shared by views. */
  public int version() {
    return shared.version;
  }

  /**
   * Records an in-place write to the storage (optimizer steps and {@code loadStateDict} call it): a
   * backward that saved this tensor, or a view of its storage, before the write then throws instead of
   * reading the new values. Returns this.
   */
  public Tensor bumpVersion() {
    shared.version++;
    return this;
  }

  /** True when the elements lie in row-major order without gaps (from {@link #offset()} on). */
  public boolean isContiguous() {
    if (size() == 0) return true;   // no element is out of place (Shape.strides of [4, 0] is [1, 1])
    int expect = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] != 1 && strides[i] != expect) return false;
      expect *= shape[i];
    }
    return true;
  }

  /** True when contiguous from index 0 of a storage holding exactly this tensor: kernels take such arrays. */
  public boolean isDense() {
    return offset == 0 && data.length == size() && isContiguous();
  }

  /**
   * The elements as a dense row-major array: the storage itself when {@link #isDense()}, else a copy.
   * Writing into it changes this tensor only in the first case.
   */
  public float[] data() {
    shared.checkLive(this);
    return isDense() ? data : Strided.toArray(this);
  }

  /** A dense copy of the elements in row-major order. */
  public float[] toArray() {
    shared.checkLive(this);
    return isDense() ? data.clone() : Strided.toArray(this);
  }

  /** The element at {@code index} (one coordinate per dimension, negatives count from the end). */
  public float get(int... index) {
    if (index.length != shape.length)
      throw new IllegalArgumentException("get: " + index.length + " indices for a tensor of shape " + Shape.str(shape));
    int p = offset;
    for (int i = 0; i < index.length; i++) {
      int ix = index[i] < 0 ? index[i] + shape[i] : index[i];
      if (ix < 0 || ix >= shape[i])
        throw new IndexOutOfBoundsException("get: index " + index[i] + " is out of range for dimension " + i
            + " of size " + shape[i] + " (shape " + Shape.str(shape) + ")");
      p += ix * strides[i];
    }
    return storage()[p];
  }

  /** The value of a one-element tensor. */
  public float item() {
    if (size() != 1)
      throw new IllegalStateException("item: tensor of shape " + Shape.str(shape) + " has " + size()
          + " elements, item() needs exactly one");
    return storage()[offset];
  }

  /** A tensor with this shape whose storage is dense: {@code this} when already dense. */
  public Tensor contiguous() {
    return Views.contiguous(this);
  }

  // ---------------------------------------------------------------- autograd (delegates to AutogradMeta)

  /** Internal, for autograd: this tensor's graph state, made on first use. */
  public AutogradMeta autograd() {
    if (autograd == null) autograd = new AutogradMeta();
    return autograd;
  }

  public boolean requiresGrad() {
    return autograd != null && autograd.requiresGrad();
  }

  /** Marks a leaf as a parameter whose gradient {@link #backward()} computes. Returns this. */
  public Tensor requiresGrad(boolean on) {
    if (on || autograd != null) autograd().requiresGrad(on);
    return this;
  }

  /** The accumulated gradient, or {@code null} before the first backward. */
  public Tensor grad() {
    return autograd == null ? null : autograd.grad();
  }

  /** Forgets the accumulated gradient (PyTorch's {@code set_to_none}). */
  public void zeroGrad() {
    if (autograd != null) autograd.zeroGrad();
  }

  /**
   * Forgets the accumulated gradient as {@link #zeroGrad} does, but keeps its array for the next
   * backward to write the new gradient into: a training loop then allocates no gradient arrays after its
   * first step (a large Dense layer's is hundreds of megabytes). A {@code grad()} tensor read before
   * this call changes with that next backward; copy it to keep it.
   */
  public void recycleGrad() {
    if (autograd != null) autograd.recycleGrad();
  }

  /** The op that produced this tensor, or {@code null} for a leaf. */
  public Node gradFn() {
    return autograd == null ? null : autograd.gradFn();
  }

  public boolean isLeaf() {
    return gradFn() == null;
  }

  /** Same storage (and version counter), cut from the graph: no gradient flows back through the result. */
  public Tensor detach() {
    return new Tensor(data, offset, shape, strides, shared);
  }

  /** Backpropagates from this scalar (a loss). Gradients add to the leaves' {@code grad}. */
  public void backward() {
    if (size() != 1)
      throw new IllegalStateException("backward: called on a tensor of shape " + Shape.str(shape)
          + "; only a scalar (e.g. a loss) has an implicit gradient. Reduce it with sum() or mean(), or pass a gradient");
    Autograd.backward(this, full(1f, shape));
  }

  /** Backpropagates {@code gradOutput}, which has this tensor's shape. */
  public void backward(Tensor gradOutput) {
    Autograd.backward(this, gradOutput);
  }

  // ---------------------------------------------------------------- arithmetic (broadcasting)

  public Tensor add(Tensor o) { return Arithmetic.add(this, o); }
  public Tensor add(float v) { return Arithmetic.add(this, scalar(v)); }
  public Tensor sub(Tensor o) { return Arithmetic.sub(this, o); }
  public Tensor sub(float v) { return Arithmetic.sub(this, scalar(v)); }
  public Tensor mul(Tensor o) { return Arithmetic.mul(this, o); }
  public Tensor mul(float v) { return Arithmetic.mul(this, scalar(v)); }
  public Tensor div(Tensor o) { return Arithmetic.div(this, o); }
  public Tensor div(float v) { return Arithmetic.div(this, scalar(v)); }
  public Tensor pow(Tensor o) { return Arithmetic.pow(this, o); }
  public Tensor pow(float p) { return Arithmetic.pow(this, p); }
  public Tensor maximum(Tensor o) { return Arithmetic.maximum(this, o); }
  public Tensor minimum(Tensor o) { return Arithmetic.minimum(this, o); }
  public Tensor neg() { return Arithmetic.neg(this); }
  public Tensor exp() { return Arithmetic.exp(this); }
  public Tensor log() { return Arithmetic.log(this); }
  public Tensor sqrt() { return Arithmetic.sqrt(this); }
  public Tensor abs() { return Arithmetic.abs(this); }
  public Tensor clamp(float min, float max) { return Arithmetic.clamp(this, min, max); }

  // comparisons: 1 where true, 0 elsewhere; not differentiable
  public Tensor eq(Tensor o) { return Arithmetic.compare(Arithmetic.Cmp.EQ, this, o); }
  public Tensor ne(Tensor o) { return Arithmetic.compare(Arithmetic.Cmp.NE, this, o); }
  public Tensor gt(Tensor o) { return Arithmetic.compare(Arithmetic.Cmp.GT, this, o); }
  public Tensor ge(Tensor o) { return Arithmetic.compare(Arithmetic.Cmp.GE, this, o); }
  public Tensor lt(Tensor o) { return Arithmetic.compare(Arithmetic.Cmp.LT, this, o); }
  public Tensor le(Tensor o) { return Arithmetic.compare(Arithmetic.Cmp.LE, this, o); }
  public Tensor gt(float v) { return gt(scalar(v)); }
  public Tensor lt(float v) { return lt(scalar(v)); }

  // ---------------------------------------------------------------- activations

  public Tensor relu() { return Activations.relu(this); }
  public Tensor leakyRelu(float slope) { return Activations.leakyRelu(this, slope); }
  public Tensor sigmoid() { return Activations.sigmoid(this); }
  public Tensor tanh() { return Activations.tanh(this); }
  public Tensor gelu() { return Activations.gelu(this); }
  public Tensor softplus() { return Activations.softplus(this); }
  public Tensor softmax(int axis) { return Activations.softmax(this, axis); }
  public Tensor logSoftmax(int axis) { return Activations.logSoftmax(this, axis); }

  // ---------------------------------------------------------------- reductions

  /** Sum of all elements, a scalar. */
  public Tensor sum() { return Reductions.sum(this, false); }
  public Tensor sum(boolean keepDim, int... axes) { return Reductions.sum(this, keepDim, axes); }
  public Tensor mean() { return Reductions.mean(this, false); }
  public Tensor mean(boolean keepDim, int... axes) { return Reductions.mean(this, keepDim, axes); }
  /** Largest element, a scalar. */
  public Tensor max() { return Reductions.max(this); }
  public Tensor max(int axis, boolean keepDim) { return Reductions.max(this, axis, keepDim); }
  public Tensor argmax(int axis, boolean keepDim) { return Reductions.argmax(this, axis, keepDim); }
  /** Variance with Bessel's correction ({@code correction = 1}) as torch.var; 0 for the population variance. */
  public Tensor var(int correction, boolean keepDim, int... axes) { return Reductions.var(this, correction, keepDim, axes); }

  // ---------------------------------------------------------------- linear algebra

  /** Matrix product with NumPy/PyTorch matmul semantics (1-D, 2-D and broadcast batches). */
  public Tensor matmul(Tensor o) { return LinearAlgebra.matmul(this, o); }

  // ---------------------------------------------------------------- views

  /** Same elements, new shape; one dimension may be -1. A view when the layout allows, else a copy. */
  public Tensor reshape(int... newShape) { return Views.reshape(this, newShape); }
  public Tensor permute(int... axes) { return Views.permute(this, axes); }
  public Tensor transpose(int a, int b) { return Views.transpose(this, a, b); }
  /** Transpose of a matrix. */
  public Tensor t() { return Views.transpose(this, 0, 1); }
  /** Elements {@code start, start + step, ...} below {@code end} along {@code axis}; negatives count from the end. */
  public Tensor slice(int axis, int start, int end, int step) { return Views.slice(this, axis, start, end, step); }
  public Tensor slice(int axis, int start, int end) { return Views.slice(this, axis, start, end, 1); }
  /** Removes every size-1 dimension. */
  public Tensor squeeze() { return Views.squeeze(this); }
  public Tensor squeeze(int axis) { return Views.squeeze(this, axis); }
  public Tensor unsqueeze(int axis) { return Views.unsqueeze(this, axis); }
  /** Broadcasts to {@code newShape} without copying (size-1 dimensions repeat; -1 keeps a size). */
  public Tensor expand(int... newShape) { return Views.expand(this, newShape); }
  /** Flattens dimensions {@code start..end} (inclusive) into one. */
  public Tensor flatten(int start, int end) { return Views.flatten(this, start, end); }

  // ---------------------------------------------------------------- indexing

  public Tensor gather(int axis, Tensor index) { return Indexing.gather(this, axis, index); }
  public Tensor indexSelect(int axis, int... index) { return Indexing.indexSelect(this, axis, index); }
  /** Copy of this with {@code src} added at {@code index} along {@code axis} (torch.scatter_add). */
  public Tensor scatterAdd(int axis, Tensor index, Tensor src) { return Indexing.scatterAdd(this, axis, index, src); }
  /** {@code value} where {@code mask} is non-zero, this elsewhere. */
  public Tensor maskedFill(Tensor mask, float value) { return Indexing.maskedFill(this, mask, value); }
  /** Tensors of {@code sizes} along {@code axis}. */
  public Tensor[] split(int axis, int... sizes) { return Joining.split(this, axis, sizes); }

  /** {@code a} where {@code cond} is non-zero, {@code b} elsewhere (broadcasting). */
  public static Tensor where(Tensor cond, Tensor a, Tensor b) { return Indexing.where(cond, a, b); }
  public static Tensor concat(int axis, Tensor... parts) { return Joining.concat(axis, parts); }
  public static Tensor stack(int axis, Tensor... parts) { return Joining.stack(axis, parts); }

  // ---------------------------------------------------------------- printing

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("tensor(");
    if (!shared.live()) return sb.append("<released to its workspace>, shape=").append(Shape.str(shape)).append(')').toString();
    float[] d = data();
    if (size() <= 64) {
      format(sb, d, 0, 0);
    } else {
      sb.append("<").append(size()).append(" values>");
    }
    sb.append(", shape=").append(Shape.str(shape));
    if (gradFn() != null) sb.append(", grad_fn=").append(gradFn().op());
    else if (requiresGrad()) sb.append(", requires_grad");
    return sb.append(')').toString();
  }

  private int format(StringBuilder sb, float[] d, int dim, int pos) {
    if (dim == shape.length) {
      sb.append(String.format(java.util.Locale.ROOT, "%.4f", d[pos]));
      return pos + 1;
    }
    sb.append('[');
    for (int i = 0; i < shape[dim]; i++) {
      if (i > 0) sb.append(", ");
      pos = format(sb, d, dim + 1, pos);
    }
    sb.append(']');
    return pos;
  }
}
