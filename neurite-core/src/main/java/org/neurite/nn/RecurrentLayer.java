package org.neurite.nn;

import java.util.ArrayList;
import java.util.List;
import org.neurite.kernels.Recurrent.Cell;
import org.neurite.ops.Dropout;
import org.neurite.ops.Recurrent;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * What {@link SimpleRNN}, {@link LSTM} and {@link GRU} share: the builder options, PyTorch's
 * parameters, stacking, padding masks and initial/final states. Each layer of the stack is one
 * {@link Recurrent#sequence} op.
 *
 * <p>Options: {@code returnSequences} (Keras: the whole output sequence {@code [N, T, H]}, else the
 * last state {@code [N, H]}), {@code layers} (stacked, PyTorch's num_layers), {@code dropout} (on the
 * outputs of every layer but the last, while training, as PyTorch).
 *
 * <p>Parameters, exactly PyTorch's so that a state_dict loads: {@code weight_ih_l0 [G*H, F]},
 * {@code weight_hh_l0 [G*H, H]}, {@code bias_ih_l0 [G*H]}, {@code bias_hh_l0 [G*H]}, then {@code _l1}
 * (whose input is H wide, or 2H inside {@link Bidirectional}) ...; all uniform in
 * {@code (-1/sqrt(H), 1/sqrt(H))}.
 *
 * <p>Masks (1 = real step, 0 = padding, {@code [N, T]}) follow PyTorch's packed sequences: a padded step
 * keeps the state, outputs 0 and has no effect on gradients; the final state is the one after each
 * sequence's last real step. An {@link Embedding} with a padding index supplies the mask inside a
 * {@link Sequential}.
 *
 * <p>States: {@link #run} takes and returns one tensor {@code [N, H]} per layer and kind, bottom layer
 * first: {@code [h_l0, h_l1, ...]}, or for the LSTM {@code [h_l0, c_l0, h_l1, c_l1, ...]} (Keras'
 * {@code [h, c]} for one layer).
 *
 * <pre>{@code
 * var encoder = new LSTM(128).layers(2);
 * var out = encoder.run(x, mask, null);            // out.sequence(): [N, T, 128]
 * var decoded = new LSTM(128).layers(2).run(y, null, out.state());
 * }</pre>
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public abstract sealed class RecurrentLayer extends Layer implements MaskAware permits SimpleRNN, LSTM, GRU {
  /**
   * A run's results: {@code sequence}, the top layer's outputs {@code [N, T, H]} (0 at padded steps),
   * whatever {@code returnSequences} says; {@code state}, the final states as described in the class
   * documentation.
   */
  public record Output(Tensor sequence, List<Tensor> state) {}

  protected final int units;
  private boolean returnSequences;
  private int layers = 1;
  private float dropout;
  private int directions = 1;   // 2 inside Bidirectional: layers above the first see both directions
  private final Rng dropoutRng = Seeds.next();
  private Tensor[][] weights;   // per layer: weight_ih, weight_hh, bias_ih, bias_hh

  RecurrentLayer(int units) {
    if (units < 1) throw new IllegalArgumentException(name() + ": units (" + units + ") must be >= 1");
    this.units = units;
  }

  abstract Cell cell();

  /** A fresh, unbuilt layer with the same configuration (the backward half of a Bidirectional). */
  abstract RecurrentLayer copy();

  private String name() {
    return getClass().getSimpleName();
  }

  // ---------------------------------------------------------------- options (subclasses narrow the return type)

  RecurrentLayer setReturnSequences(boolean on) {
    returnSequences = on;
    return this;
  }

  RecurrentLayer setLayers(int n) {
    if (n < 1) throw new IllegalArgumentException(name() + ": layers (" + n + ") must be >= 1");
    if (isBuilt()) throw new IllegalStateException(this + ": layers cannot change after the layer is built");
    layers = n;
    return this;
  }

  RecurrentLayer setDropout(float p) {
    if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException(name() + ": dropout (" + p + ") must be in [0, 1)");
    dropout = p;
    return this;
  }

  void directions(int d) {
    directions = d;
  }

  public int units() {
    return units;
  }

  public boolean returnSequences() {
    return returnSequences;
  }

  /** Without returnSequences the output is the final state: no time axis. */
  @Override
  public boolean keepsTimeAxis() {
    return returnSequences;
  }

  public int layers() {
    return layers;
  }

  public float dropout() {
    return dropout;
  }

  /** Final-state tensors per layer: 2 for the LSTM (h, c), else 1 (h). */
  int statesPerLayer() {
    return cell() == Cell.LSTM ? 2 : 1;
  }

  // ---------------------------------------------------------------- build and run

  @Override
  protected int[] build(int[] in) {
    if (in.length != 2)
      throw new IllegalArgumentException(this + ": expected input [N, T, features], got a per-sample shape "
          + Shape.str(in) + (in.length == 1 ? ". Hint: token ids go through an Embedding first" : ""));
    int gh = cell().gates * units;
    float k = (float) (1 / Math.sqrt(units));
    weights = new Tensor[layers][];
    for (int l = 0; l < layers; l++) {
      Rng rng = Seeds.next();
      int fin = l == 0 ? in[1] : directions * units;
      weights[l] = new Tensor[] {
          param("weight_ih_l" + l, new int[] {gh, fin}, () -> Tensor.uniform(rng, -k, k, gh, fin)),
          param("weight_hh_l" + l, new int[] {gh, units}, () -> Tensor.uniform(rng, -k, k, gh, units)),
          param("bias_ih_l" + l, new int[] {gh}, () -> Tensor.uniform(rng, -k, k, gh)),
          param("bias_hh_l" + l, new int[] {gh}, () -> Tensor.uniform(rng, -k, k, gh))};
    }
    return returnSequences ? new int[] {in[0], units} : new int[] {units};
  }

  @Override
  protected int fixedTrailingAxes() {
    return 1;   // the sequence length may change from batch to batch
  }

  @Override
  protected Tensor compute(Tensor x) {
    return pick(run(x, null, null));
  }

  /** {@link #forward(Tensor)} with a padding mask {@code [N, T]} (1 = real step, 0 = padding). */
  @Override
  public Tensor forward(Tensor x, Tensor mask) {
    return mask == null ? forward(x) : pick(run(x, mask, null));
  }

  private Tensor pick(Output out) {
    return returnSequences ? out.sequence() : out.state().get((layers - 1) * statesPerLayer());
  }

  /**
   * Runs the stack over {@code x} {@code [N, T, F]} with an optional {@code mask} {@code [N, T]} and
   * initial state (null or empty: zeros; else the layout of {@link Output#state()}).
   */
  public Output run(Tensor x, Tensor mask, List<Tensor> initialState) {
    ensureBuilt(x);
    checkInput(this, x, inputShape()[1], mask);
    int per = statesPerLayer();
    if (initialState != null && !initialState.isEmpty() && initialState.size() != layers * per)
      throw new IllegalArgumentException(this + ": initial state needs " + layers * per + " tensors ("
          + (per == 2 ? "h and c" : "h") + " per layer), got " + initialState.size());
    boolean init = initialState != null && !initialState.isEmpty();
    List<Tensor> state = new ArrayList<>();
    Tensor in = x;
    for (int l = 0; l < layers; l++) {
      if (l > 0) in = Dropout.dropout(in, dropout, isTraining(), dropoutRng);
      Recurrent.Result r = runLayer(l, in, mask, init ? initialState.get(l * per) : null,
          init && per == 2 ? initialState.get(l * per + 1) : null, false);
      in = r.sequence();
      state.add(r.h());
      if (per == 2) state.add(r.c());
    }
    return new Output(in, List.copyOf(state));
  }

  /** One layer of the stack in one direction (Bidirectional calls this per layer). */
  Recurrent.Result runLayer(int l, Tensor in, Tensor mask, Tensor h0, Tensor c0, boolean reverse) {
    Tensor[] w = weights[l];
    try {
      return Recurrent.sequence(cell(), in, h0, c0, w[0], w[1], w[2], w[3], mask, reverse);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(this + " layer " + l + ": " + e.getMessage(), e);
    }
  }

  /** Checks x against {@code [N, T, features]} and the mask against {@code [N, T]}; errors name {@code who}. */
  static void checkInput(Object who, Tensor x, int features, Tensor mask) {
    if (x.rank() != 3 || x.shape(2) != features)
      throw new IllegalArgumentException(who + ": expected input [N, T, " + features + "], got " + Shape.str(x.shape())
          + (x.rank() == 2 && x.shape(1) == features ? ". Hint: add the time axis: x.unsqueeze(1)" : ""));
    if (mask != null && !Shape.same(mask.shape(), new int[] {x.shape(0), x.shape(1)}))
      throw new IllegalArgumentException(who + ": mask must be [" + x.shape(0) + ", " + x.shape(1)
          + "] (batch, steps) for input " + Shape.str(x.shape()) + ", got " + Shape.str(mask.shape()));
  }

  /** "LSTM(64, returnSequences=true, layers=2)": the non-default options. */
  String describe(String extra) {
    StringBuilder sb = new StringBuilder(name()).append('(').append(units).append(extra);
    if (returnSequences) sb.append(", returnSequences=true");
    if (layers != 1) sb.append(", layers=").append(layers);
    if (dropout != 0f) sb.append(", dropout=").append(dropout);
    return sb.append(')').toString();
  }

  @Override
  public String toString() {
    return describe("");
  }
}
