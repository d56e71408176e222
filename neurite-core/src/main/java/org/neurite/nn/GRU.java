package org.neurite.nn;

import org.neurite.kernels.Recurrent.Cell;

/**
 * Gated recurrent unit (Cho et al., 2014) in PyTorch's formulation (nn.GRU docs):
 * <pre>
 *   r = sig(W_ir x + b_ir + W_hr h + b_hr)    z = sig(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r (W_hn h + b_hn))
 *   h' = (1 - z) n + z h
 * </pre>
 * Shape: {@code [N, T, F]} to {@code [N, T, units]} with {@code returnSequences(true)}, else
 * {@code [N, units]} (the last state). Parameters: {@code weight_ih_l0 [3*units, F]},
 * {@code weight_hh_l0 [3*units, units]}, {@code bias_ih_l0}, {@code bias_hh_l0 [3*units]} (gates r, z,
 * n), per stacked layer; options, masks and states as {@link RecurrentLayer}.
 *
 * <pre>{@code
 * var model = Sequential.of(new Embedding(10000, 64), new GRU(64).returnSequences(true), new GRU(64),
 *     new Dense(10).softmax()).input(100);
 * }</pre>
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class GRU extends RecurrentLayer {
  /** Everything needed to rebuild this layer. */
  public record Config(int units, boolean returnSequences, int layers, float dropout) {}

  public GRU(int units) {
    super(units);
  }

  public static GRU of(Config c) {
    return new GRU(c.units()).returnSequences(c.returnSequences()).layers(c.layers()).dropout(c.dropout());
  }

  public Config config() {
    return new Config(units, returnSequences(), layers(), dropout());
  }

  /** Keras' return_sequences: output every step ({@code [N, T, units]}) rather than the last state. */
  public GRU returnSequences(boolean on) {
    setReturnSequences(on);
    return this;
  }

  /** Stacked layers (PyTorch's num_layers). */
  public GRU layers(int n) {
    setLayers(n);
    return this;
  }

  /** Dropout on the outputs of every layer but the last, while training (PyTorch's dropout). */
  public GRU dropout(float p) {
    setDropout(p);
    return this;
  }

  @Override
  Cell cell() {
    return Cell.GRU;
  }

  @Override
  RecurrentLayer copy() {
    return of(config());
  }
}
