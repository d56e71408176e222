package org.neurite.nn;

import org.neurite.kernels.Recurrent.Cell;

/**
 * Fully connected recurrent layer (Elman, 1990; PyTorch's nn.RNN, Keras' SimpleRNN):
 * {@code h' = act(W_ih x + b_ih + W_hh h + b_hh)} with act tanh (the default), {@link #sigmoid()} or
 * {@link #relu()}.
 *
 * <p>Shape: {@code [N, T, F]} to {@code [N, T, units]} with {@code returnSequences(true)}, else
 * {@code [N, units]} (the last state). Parameters: {@code weight_ih_l0 [units, F]},
 * {@code weight_hh_l0 [units, units]}, {@code bias_ih_l0}, {@code bias_hh_l0 [units]} per stacked
 * layer; options, masks and states as {@link RecurrentLayer}.
 *
 * <pre>{@code
 * var model = Sequential.of(new SimpleRNN(32).relu(), new Dense(1)).input(20, 3);
 * }</pre>
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class SimpleRNN extends RecurrentLayer {
  /** Everything needed to rebuild this layer; activation is tanh, sigmoid or relu. */
  public record Config(int units, Activation activation, boolean returnSequences, int layers, float dropout) {}

  private Activation cellActivation = Activation.TANH;

  public SimpleRNN(int units) {
    super(units);
  }

  public static SimpleRNN of(Config c) {
    return new SimpleRNN(c.units()).cellActivation(c.activation()).returnSequences(c.returnSequences())
        .layers(c.layers()).dropout(c.dropout());
  }

  public Config config() {
    return new Config(units, cellActivation, returnSequences(), layers(), dropout());
  }

  /** h' = tanh(...), the default (PyTorch's nonlinearity="tanh"). */
  public SimpleRNN tanh() {
    return cellActivation(Activation.TANH);
  }

  /** h' = sigmoid(...). */
  public SimpleRNN sigmoid() {
    return cellActivation(Activation.SIGMOID);
  }

  /** h' = relu(...) (PyTorch's nonlinearity="relu"). */
  public SimpleRNN relu() {
    return cellActivation(Activation.RELU);
  }

  private SimpleRNN cellActivation(Activation a) {
    if (a != Activation.TANH && a != Activation.SIGMOID && a != Activation.RELU)
      throw new IllegalArgumentException("SimpleRNN: activation must be tanh, sigmoid or relu, got " + a.kerasName());
    cellActivation = a;
    return this;
  }

  /** Keras' return_sequences: output every step ({@code [N, T, units]}) rather than the last state. */
  public SimpleRNN returnSequences(boolean on) {
    setReturnSequences(on);
    return this;
  }

  /** Stacked layers (PyTorch's num_layers). */
  public SimpleRNN layers(int n) {
    setLayers(n);
    return this;
  }

  /** Dropout on the outputs of every layer but the last, while training (PyTorch's dropout). */
  public SimpleRNN dropout(float p) {
    setDropout(p);
    return this;
  }

  @Override
  Cell cell() {
    return switch (cellActivation) {
      case RELU -> Cell.RNN_RELU;
      case SIGMOID -> Cell.RNN_SIGMOID;
      default -> Cell.RNN_TANH;
    };
  }

  @Override
  RecurrentLayer copy() {
    return of(config());
  }

  @Override
  public String toString() {
    return describe(cellActivation == Activation.TANH ? "" : ", activation=" + cellActivation.kerasName());
  }
}
