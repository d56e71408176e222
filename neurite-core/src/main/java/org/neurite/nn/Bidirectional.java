package org.neurite.nn;

import java.util.ArrayList;
import java.util.List;
import org.neurite.ops.Dropout;
import org.neurite.ops.Recurrent;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * Runs a recurrent layer over the sequence in both directions and concatenates the two outputs on the
 * feature axis (Keras' Bidirectional with merge_mode="concat"; PyTorch's bidirectional=True).
 *
 * <p>The backward direction reverses each sequence within its real length (padding mask honoured), as
 * PyTorch does for packed sequences: with right padding its first step is the last real token. With
 * {@code layers(n)} the layers above the first see both directions of the layer below, as in PyTorch.
 *
 * <p>Shape: {@code [N, T, F]} to {@code [N, T, 2*units]} when the wrapped layer returns sequences,
 * else {@code [N, 2*units]} (the final states of both directions: forward after the last step,
 * backward after the first). Children: {@code forward_layer} (the given layer) and
 * {@code backward_layer} (a fresh copy of its configuration), so a PyTorch {@code weight_ih_l0_reverse}
 * is {@code backward_layer.weight_ih_l0} here. States in {@link #run}: the forward layer's (as
 * {@link RecurrentLayer#run}) followed by the backward layer's.
 *
 * <pre>{@code
 * var model = Sequential.of(new Embedding(5000, 32).paddingIdx(0),
 *     new Bidirectional(new GRU(32)), new Dense(2).softmax()).input(50);
 * }</pre>
 *
 * <p>Not thread-safe, like every {@link Module}: see there for the concurrent {@code predict} it allows.
 */
public final class Bidirectional extends Layer implements MaskAware {

  /** Without returnSequences the output is the final states: no time axis. */
  @Override
  public boolean keepsTimeAxis() {
    return fwd.returnSequences();
  }

  /** Everything needed to rebuild this layer besides the wrapped one: nothing. */
  public record Config() {}

  private final RecurrentLayer fwd, bwd;
  private final Rng dropoutRng = Seeds.next();

  public Bidirectional(RecurrentLayer layer) {
    if (layer.isBuilt())
      throw new IllegalArgumentException("Bidirectional: " + layer + " is already built; wrap a new, unbuilt layer");
    fwd = child("forward_layer", layer);
    bwd = child("backward_layer", layer.copy());
    fwd.directions(2);
    bwd.directions(2);
  }

  public Config config() {
    return new Config();
  }

  /** The wrapped (forward) layer, whose configuration both directions share. */
  public RecurrentLayer layer() {
    return fwd;
  }

  @Override
  protected int[] build(int[] in) {
    fwd.buildFor(in);
    bwd.buildFor(in);
    int width = 2 * fwd.units();
    return fwd.returnSequences() ? new int[] {in[0], width} : new int[] {width};
  }

  @Override
  protected int fixedTrailingAxes() {
    return 1;
  }

  @Override
  protected Tensor compute(Tensor x) {
    return pick(run(x, null, null));
  }

  @Override
  public Tensor forward(Tensor x, Tensor mask) {
    return mask == null ? forward(x) : pick(run(x, mask, null));
  }

  private Tensor pick(RecurrentLayer.Output out) {
    if (fwd.returnSequences()) return out.sequence();
    List<Tensor> s = out.state();
    int top = (fwd.layers() - 1) * fwd.statesPerLayer();
    return Tensor.concat(-1, s.get(top), s.get(s.size() / 2 + top));
  }

  /**
   * Runs both directions over {@code x} {@code [N, T, F]}; {@code sequence} is {@code [N, T, 2*units]}
   * and {@code state} the forward layer's final states followed by the backward layer's (the initial
   * state, if given, in the same layout).
   */
  public RecurrentLayer.Output run(Tensor x, Tensor mask, List<Tensor> initialState) {
    ensureBuilt(x);
    RecurrentLayer.checkInput(this, x, inputShape()[1], mask);
    int per = fwd.statesPerLayer(), layers = fwd.layers(), half = layers * per;
    boolean init = initialState != null && !initialState.isEmpty();
    if (init && initialState.size() != 2 * half)
      throw new IllegalArgumentException(this + ": initial state needs " + 2 * half + " tensors (forward layer's "
          + half + ", then backward layer's " + half + "), got " + initialState.size());
    List<Tensor> fs = new ArrayList<>(), bs = new ArrayList<>();
    Tensor in = x;
    for (int l = 0; l < layers; l++) {
      if (l > 0) in = Dropout.dropout(in, fwd.dropout(), isTraining(), dropoutRng);
      int at = l * per;
      Recurrent.Result f = fwd.runLayer(l, in, mask, init ? initialState.get(at) : null,
          init && per == 2 ? initialState.get(at + 1) : null, false);
      Recurrent.Result b = bwd.runLayer(l, in, mask, init ? initialState.get(half + at) : null,
          init && per == 2 ? initialState.get(half + at + 1) : null, true);
      in = Tensor.concat(-1, f.sequence(), b.sequence());
      fs.add(f.h());
      bs.add(b.h());
      if (per == 2) {
        fs.add(f.c());
        bs.add(b.c());
      }
    }
    fs.addAll(bs);
    return new RecurrentLayer.Output(in, List.copyOf(fs));
  }

  @Override
  public String toString() {
    return "Bidirectional(" + fwd + ")";
  }
}
