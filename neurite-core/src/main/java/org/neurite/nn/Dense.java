package org.neurite.nn;

import org.neurite.ops.Functional;
import org.neurite.ops.LinearAlgebra;
import org.neurite.tensor.Init;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * Fully connected layer: {@code y = x W^T + b} over the last axis (PyTorch's Linear, Keras' Dense).
 *
 * <p>Shape: {@code [N, ..., in]} to {@code [N, ..., units]}. Parameters: "weight" {@code [units, in]}
 * (Glorot uniform, Keras' default), "bias" {@code [units]} (zeros).
 *
 * <pre>{@code new Dense(512).relu()}</pre>
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class Dense extends Layer {
  /** Everything needed to rebuild this layer. */
  public record Config(int units, boolean useBias, Activation activation) {}

  private final int units;
  private final boolean useBias;
  private Tensor weight, bias;

  public Dense(int units) {
    this(units, true);
  }

  public Dense(int units, boolean useBias) {
    if (units < 1) throw new IllegalArgumentException("Dense: units (" + units + ") must be >= 1");
    this.units = units;
    this.useBias = useBias;
  }

  public static Dense of(Config c) {
    return new Dense(c.units(), c.useBias()).activation(c.activation());
  }

  public Dense relu() { return activate(Activation.RELU); }
  public Dense softmax() { return activate(Activation.SOFTMAX); }
  public Dense sigmoid() { return activate(Activation.SIGMOID); }
  public Dense tanh() { return activate(Activation.TANH); }
  public Dense activation(Activation a) { return activate(a); }

  public Config config() {
    return new Config(units, useBias, activation);
  }

  @Override
  protected int[] build(int[] in) {
    if (in.length == 0) throw new IllegalArgumentException(this + ": needs at least one feature axis, got a scalar per sample");
    int fanIn = in[in.length - 1];
    weight = param("weight", new int[] {units, fanIn}, () -> Init.xavierUniform(Seeds.next(), fanIn, units, units, fanIn));
    if (useBias) bias = param("bias", new int[] {units}, () -> Tensor.zeros(units));
    int[] out = in.clone();
    out[out.length - 1] = units;
    return out;
  }

  @Override
  protected int fixedTrailingAxes() {
    return 1;
  }

  // One fused op: the weight's gradient comes out of a GEMM already in [out, in], where x.matmul(w.t())
  // left a transposed view to copy (44 M elements a step for the seed CNN at 224 x 224).
  @Override
  protected Tensor compute(Tensor x) {
    return LinearAlgebra.linear(x, weight, bias, computesActivation(), 0f, null);
  }

  /**
   * {@code dropout(act(forward(x)))}, dropout of rate {@code rate} when {@code rng} is not null
   * (training): a Transformer feed-forward's {@code dropout(activation(linear1(x)))}, for a Dense without
   * an activation of its own. With ReLU or no activation, both run inside the projection
   * ({@link LinearAlgebra#linear}: one GEMM and one pass, where a separate ReLU and dropout would cost an
   * array and a pass each); another activation follows the projection.
   */
  public Tensor forward(Tensor x, Activation act, float rate, Rng rng) {
    if (activation != Activation.LINEAR)
      throw new IllegalStateException(this + ": forward(x, act, rate, rng) is for a Dense without an activation of its own");
    boolean fused = act == Activation.RELU || act == Activation.LINEAR;
    if (!fused || weight == null || x.rank() < 2 || x.shape(-1) != weight.shape(1))   // forward names any mismatch
      return Functional.dropout(act.apply(forward(x)), rate, rng != null, rng);
    return LinearAlgebra.linear(x, weight, bias, act == Activation.RELU, rate, rng);
  }

  /** ReLU runs inside the projection (the seed CNN's Dense(512, activation='relu')). */
  @Override
  protected boolean computesActivation() {
    return activation == Activation.RELU;
  }

  @Override
  public String toString() {
    return "Dense(" + units + (useBias ? "" : ", useBias=false") + activationSuffix() + ")";
  }
}
