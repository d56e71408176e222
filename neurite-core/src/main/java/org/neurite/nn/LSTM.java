package org.neurite.nn;

import org.neurite.kernels.Recurrent.Cell;

/**
 * Long short-term memory (Hochreiter and Schmidhuber, 1997) in PyTorch's formulation (nn.LSTM docs):
 * <pre>
 *   i = sig(W_ii x + b_ii + W_hi h + b_hi)    f = sig(W_if x + b_if + W_hf h + b_hf)
 *   g = tanh(W_ig x + b_ig + W_hg h + b_hg)   o = sig(W_io x + b_io + W_ho h + b_ho)
 *   c' = f c + i g                            h' = o tanh(c')
 * </pre>
 * Shape: {@code [N, T, F]} to {@code [N, T, units]} with {@code returnSequences(true)}, else
 * {@code [N, units]} (the last state). Parameters: {@code weight_ih_l0 [4*units, F]},
 * {@code weight_hh_l0 [4*units, units]}, {@code bias_ih_l0}, {@code bias_hh_l0 [4*units]} (gates i, f,
 * g, o), per stacked layer; options, masks and states as {@link RecurrentLayer}.
 *
 * <pre>{@code
 * var model = Sequential.of(new Embedding(10000, 64), new LSTM(64).returnSequences(true), new LSTM(64),
 *     new Dense(10).softmax()).input(100);
 * }</pre>
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class LSTM extends RecurrentLayer {
  /** Everything needed to rebuild this layer. */
  public record Config(int units, boolean returnSequences, int layers, float dropout) {}

  public LSTM(int units) {
    super(units);
  }

  public static LSTM of(Config c) {
    return new LSTM(c.units()).returnSequences(c.returnSequences()).layers(c.layers()).dropout(c.dropout());
  }

  public Config config() {
    return new Config(units, returnSequences(), layers(), dropout());
  }

  /** Keras' return_sequences: output every step ({@code [N, T, units]}) rather than the last state. */
  public LSTM returnSequences(boolean on) {
    setReturnSequences(on);
    return this;
  }

  /** Stacked layers (PyTorch's num_layers). */
  public LSTM layers(int n) {
    setLayers(n);
    return this;
  }

  /** Dropout on the outputs of every layer but the last, while training (PyTorch's dropout). */
  public LSTM dropout(float p) {
    setDropout(p);
    return this;
  }

  @Override
  Cell cell() {
    return Cell.LSTM;
  }

  @Override
  RecurrentLayer copy() {
    return of(config());
  }
}
