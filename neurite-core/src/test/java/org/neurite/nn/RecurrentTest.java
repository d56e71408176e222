package org.neurite.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.neurite.testing.Errors.assertMessage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.autograd.GradCheck;
import org.neurite.autograd.GradMode;
import org.neurite.kernels.Recurrent.Cell;
import org.neurite.ops.Functional;
import org.neurite.ops.Recurrent;
import org.neurite.optim.Optimizers;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.testing.Golden;
import org.neurite.train.Fit;
import org.neurite.train.History;
import org.neurite.train.Losses;

/**
 * SimpleRNN, LSTM, GRU and Bidirectional (nn) over the whole-sequence op (ops/Recurrent.java) and its
 * kernels (kernels/Recurrent.java). Golden forward and backward against PyTorch's nn.RNN/LSTM/GRU
 * (tools/fixtures/make_rnn_fixtures.py: stacked, bidirectional, right-padded batches through
 * pack_padded_sequence, initial states, gradients of the output sequence and of the final states, 8-row
 * tiles with a tail row and hidden sizes on and off the vector width); finite differences for every
 * cell and direction; arbitrary masks against the same sequences with the padding cut out; the seed
 * LSTM model in a Sequential (golden with a padded batch, and learning a small task); errors.
 */
class RecurrentTest {
  private static final Golden.Fixture FIX = Golden.load("org/neurite/nn/recurrent.safetensors");
  private static final double ATOL = 2e-5, RTOL = 1e-4;   // float32 sums over a few steps vs float64

  // name, layer factory, bidirectional
  static Stream<Arguments> goldenCases() {
    return Stream.of(
        golden("rnn_tanh", () -> new SimpleRNN(5), false),
        golden("rnn_relu_init", () -> new SimpleRNN(5).relu(), false),
        golden("rnn_sigmoid", () -> new SimpleRNN(5).sigmoid(), false),
        golden("rnn_tanh_bidir_masked", () -> new SimpleRNN(5), true),
        golden("lstm_basic", () -> new LSTM(5), false),
        golden("lstm_h20_n9", () -> new LSTM(20), false),
        golden("lstm_h16_2layers", () -> new LSTM(16).layers(2), false),
        golden("lstm_masked_init", () -> new LSTM(5), false),
        golden("lstm_bidir_masked", () -> new LSTM(5), true),
        golden("lstm_bidir_2layers_masked_init", () -> new LSTM(6).layers(2), true),
        golden("gru_basic", () -> new GRU(5), false),
        golden("gru_h20_n9", () -> new GRU(20), false),
        golden("gru_2layers", () -> new GRU(6).layers(2), false),
        golden("gru_masked_init", () -> new GRU(5), false),
        golden("gru_bidir_masked", () -> new GRU(16), true));
  }

  private static Arguments golden(String name, Supplier<RecurrentLayer> layer, boolean bidirectional) {
    return Arguments.of(name, layer, bidirectional);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void matchesPyTorch(String name, Supplier<RecurrentLayer> factory, boolean bidirectional) {
    Golden.Case c = FIX.get(name);
    Tensor x = c.input("x");
    RecurrentLayer layer = factory.get();
    Module m = bidirectional ? new Bidirectional(layer) : layer;
    m.buildFor(new int[] {x.shape(1), x.shape(2)});
    loadParams(c, m);
    List<Tensor> init = new ArrayList<>();
    for (int i = 0; c.has("init." + i); i++) init.add(c.input("init." + i));
    Tensor mask = c.has("mask") ? c.tensor("mask") : null;
    RecurrentLayer.Output out = bidirectional ? ((Bidirectional) m).run(x, mask, init) : layer.run(x, mask, init);
    List<Tensor> outs = new ArrayList<>(List.of(out.sequence()));
    outs.addAll(out.state());
    c.check(outs.toArray(new Tensor[0]), ATOL, RTOL);   // outputs, then grad_x and grad_init.i
    for (var e : m.namedParameters().entrySet())
      Golden.assertClose(name + " grad_p." + e.getKey(), c.expected("grad_p." + e.getKey()), e.getValue().grad(), ATOL, RTOL);
  }

  private static void loadParams(Golden.Case c, Module m) {
    Map<String, Tensor> state = new LinkedHashMap<>();
    for (String k : m.stateDict().keySet()) state.put(k, c.tensor("p." + k));
    m.loadStateDict(state);
  }

  @Test
  void seedLstmModelWithPaddedBatchMatchesPyTorchPackedSequences() {
    Golden.Case c = FIX.get("seed_lstm_model_padded");
    Sequential model = Sequential.of(new Embedding(20, 6).paddingIdx(0), new LSTM(7).returnSequences(true), new LSTM(7),
        new Dense(3)).input(6);
    loadParams(c, model);
    Tensor logits = model.forward(c.tensor("ids"));
    Golden.assertClose("logits", c.expected("logits"), logits, ATOL, RTOL);
    Tensor loss = Functional.crossEntropy(logits, c.tensor("labels"));
    Golden.assertClose("loss", c.expected("loss"), loss, ATOL, RTOL);
    loss.backward();
    for (var e : model.namedParameters().entrySet())
      Golden.assertClose("grad_p." + e.getKey(), c.expected("grad_p." + e.getKey()), e.getValue().grad(), ATOL, RTOL);
  }

  // ---------------------------------------------------------------- finite differences on the op

  static Stream<Arguments> gradCases() {
    List<Arguments> out = new ArrayList<>();
    for (Cell cell : Cell.values())
      for (boolean reverse : new boolean[] {false, true}) out.add(Arguments.of(cell, reverse));
    return out.stream();
  }

  @ParameterizedTest(name = "{0} reverse={1}")
  @MethodSource("gradCases")
  void gradCheckEveryInput(Cell cell, boolean reverse) {
    Rng rng = new Rng(11 + cell.ordinal() * 2 + (reverse ? 1 : 0));
    int n = 3, t = 4, f = 3, h = 4, gh = cell.gates * h;
    Tensor x = Tensor.randn(rng, n, t, f).requiresGrad(true);
    Tensor h0 = Tensor.randn(rng, n, h).mul(0.5f).requiresGrad(true);
    Tensor c0 = cell == Cell.LSTM ? Tensor.randn(rng, n, h).mul(0.5f).requiresGrad(true) : null;
    Tensor wi = Tensor.uniform(rng, -0.6f, 0.6f, gh, f).requiresGrad(true), wh = Tensor.uniform(rng, -0.6f, 0.6f, gh, h).requiresGrad(true);
    Tensor bi = Tensor.uniform(rng, -0.5f, 0.5f, gh).requiresGrad(true), bh = Tensor.uniform(rng, -0.5f, 0.5f, gh).requiresGrad(true);
    Tensor mask = Tensor.of(new float[] {1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1}, n, t);   // right pad, holes, left pad
    GradCheck.defaults().check(in -> flat(Recurrent.sequence(cell, in[0], in[1], cell == Cell.LSTM ? in[6] : null,
        in[2], in[3], in[4], in[5], mask, reverse)), x, h0, wi, wh, bi, bh, c0 == null ? Tensor.zeros(1) : c0);
  }

  private static Tensor flat(Recurrent.Result r) {
    Tensor s = Tensor.concat(0, r.sequence().reshape(-1), r.h().reshape(-1));
    return r.c() == null ? s : Tensor.concat(0, s, r.c().reshape(-1));
  }

  // ---------------------------------------------------------------- masks

  @ParameterizedTest(name = "{0} reverse={1}")
  @MethodSource("gradCases")
  void anyMaskEqualsTheSequenceWithItsPaddingCutOut(Cell cell, boolean reverse) {
    Rng rng = new Rng(3);
    int t = 6, f = 3, h = 17, gh = cell.gates * h;
    Tensor x = Tensor.randn(rng, 1, t, f).requiresGrad(true);
    Tensor wi = Tensor.uniform(rng, -0.5f, 0.5f, gh, f), wh = Tensor.uniform(rng, -0.5f, 0.5f, gh, h);
    Tensor bi = Tensor.uniform(rng, -0.5f, 0.5f, gh), bh = Tensor.uniform(rng, -0.5f, 0.5f, gh);
    float[] m = {0, 1, 0, 1, 1, 0};
    int[] real = {1, 3, 4};
    Recurrent.Result full = Recurrent.sequence(cell, x, null, null, wi, wh, bi, bh, Tensor.of(m, 1, t), reverse);
    Tensor cut = x.detach().indexSelect(1, real).requiresGrad(true);
    Recurrent.Result ref = Recurrent.sequence(cell, cut, null, null, wi, wh, bi, bh, null, reverse);
    Golden.assertClose("final h", ref.h(), full.h(), 1e-6, 1e-6);
    Tensor seq = full.sequence();
    for (int i = 0; i < t; i++) {
      int k = Arrays.binarySearch(real, i);
      Tensor step = seq.slice(1, i, i + 1).reshape(h);
      Tensor want = k >= 0 ? ref.sequence().slice(1, k, k + 1).reshape(h) : Tensor.zeros(h);
      Golden.assertClose("step " + i, want, step, 1e-6, 1e-6);
    }
    // Gradients: padded steps get none; real steps get what the cut sequence gives them. An unmasked
    // backward first leaves non-zero gate gradients in the kernel's reused buffer at the padded steps.
    Recurrent.sequence(cell, x.detach().requiresGrad(true), null, null, wi, wh, bi, bh, null, reverse).h().sum().backward();
    Tensor u = Tensor.randn(rng, 1, h);
    full.h().mul(u).sum().backward();
    ref.h().mul(u).sum().backward();
    float[] g = x.grad().toArray(), gr = cut.grad().toArray();
    for (int i = 0; i < t; i++) {
      int k = Arrays.binarySearch(real, i);
      for (int j = 0; j < f; j++)
        assertEquals(k >= 0 ? gr[k * f + j] : 0f, g[i * f + j], 1e-6, "dx at step " + i);
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"LSTM", "GRU", "RNN_TANH"})
  void threadCountChangesNothing(Cell cell) {
    // Large enough for the kernels to share blocks of rows among threads (37 rows: a ragged last block).
    int before = org.neurite.kernels.Parallel.threads();
    float[][] one = null;
    try {
      for (int threads : new int[] {1, 3}) {
        org.neurite.kernels.Parallel.setThreads(threads);
        Rng rng = new Rng(12);
        int n = 37, t = 30, f = 16, h = 40, gh = cell.gates * h;
        Tensor x = Tensor.randn(rng, n, t, f).requiresGrad(true);
        Tensor wi = Tensor.uniform(rng, -0.2f, 0.2f, gh, f).requiresGrad(true);
        Tensor wh = Tensor.uniform(rng, -0.2f, 0.2f, gh, h).requiresGrad(true);
        Tensor bi = Tensor.uniform(rng, -0.2f, 0.2f, gh).requiresGrad(true), bh = Tensor.uniform(rng, -0.2f, 0.2f, gh).requiresGrad(true);
        float[] m = new float[n * t];
        for (int i = 0; i < n; i++) for (int j = 0; j < t - i % 7; j++) m[i * t + j] = 1;
        Recurrent.Result r = Recurrent.sequence(cell, x, null, null, wi, wh, bi, bh, Tensor.of(m, n, t), true);
        flat(r).mul(Tensor.randn(rng, flat(r).shape())).sum().backward();
        float[][] got = {flat(r).toArray(), x.grad().toArray(), wi.grad().toArray(), wh.grad().toArray(),
            bi.grad().toArray(), bh.grad().toArray()};
        if (one == null) one = got;
        else for (int k = 0; k < got.length; k++) assertArrayEquals(one[k], got[k], "result " + k + " with 3 threads");
      }
    } finally {
      org.neurite.kernels.Parallel.setThreads(before);
    }
  }

  @Test
  void allPaddingKeepsTheInitialState() {
    Rng rng = new Rng(4);
    LSTM lstm = new LSTM(4);
    Tensor x = Tensor.randn(rng, 2, 3, 2);
    Tensor h0 = Tensor.randn(rng, 2, 4), c0 = Tensor.randn(rng, 2, 4);
    var out = lstm.run(x, Tensor.zeros(2, 3), List.of(h0, c0));
    assertArrayEquals(h0.toArray(), out.state().get(0).toArray());
    assertArrayEquals(c0.toArray(), out.state().get(1).toArray());
    assertArrayEquals(new float[2 * 3 * 4], out.sequence().toArray());
  }

  // ---------------------------------------------------------------- layer behaviour

  @Test
  void parameterNamesAndShapesArePyTorchs() {
    LSTM lstm = new LSTM(8).layers(2);
    lstm.buildFor(new int[] {5, 3});
    Map<String, int[]> want = new LinkedHashMap<>();
    want.put("weight_ih_l0", new int[] {32, 3});
    want.put("weight_hh_l0", new int[] {32, 8});
    want.put("bias_ih_l0", new int[] {32});
    want.put("bias_hh_l0", new int[] {32});
    want.put("weight_ih_l1", new int[] {32, 8});
    want.put("weight_hh_l1", new int[] {32, 8});
    want.put("bias_ih_l1", new int[] {32});
    want.put("bias_hh_l1", new int[] {32});
    var got = lstm.namedParameters();
    assertEquals(want.keySet(), got.keySet());
    want.forEach((k, s) -> assertArrayEquals(s, got.get(k).shape(), k));
    float bound = (float) (1 / Math.sqrt(8));
    for (Tensor p : got.values())
      for (float v : p.toArray()) assertTrue(Math.abs(v) <= bound, "init outside +-1/sqrt(H): " + v);

    Bidirectional bi = new Bidirectional(new GRU(4).layers(2));
    bi.buildFor(new int[] {5, 3});
    assertArrayEquals(new int[] {12, 8}, bi.namedParameters().get("backward_layer.weight_ih_l1").shape());
    assertArrayEquals(new int[] {12, 3}, bi.namedParameters().get("forward_layer.weight_ih_l0").shape());
  }

  @Test
  void returnSequencesShapesAndLastState() {
    Rng rng = new Rng(5);
    Tensor x = Tensor.randn(rng, 2, 7, 3);
    GRU seq = new GRU(4).returnSequences(true);
    assertArrayEquals(new int[] {2, 7, 4}, seq.forward(x).shape());
    GRU last = new GRU(4);
    last.buildFor(new int[] {7, 3});
    last.loadStateDict(seq.stateDict());
    Tensor all = seq.forward(x), h = last.forward(x);
    assertArrayEquals(new int[] {2, 4}, h.shape());
    Golden.assertClose("last state", all.slice(1, 6, 7).reshape(2, 4), h, 0, 0);
    // the sequence length may change from batch to batch
    assertArrayEquals(new int[] {2, 11, 4}, seq.forward(Tensor.randn(rng, 2, 11, 3)).shape());
    Bidirectional b = new Bidirectional(new LSTM(4));
    assertArrayEquals(new int[] {2, 8}, b.forward(x).shape());
    assertArrayEquals(new int[] {7, 8}, new Bidirectional(new LSTM(4).returnSequences(true)).buildFor(new int[] {7, 3}));
  }

  @Test
  void dropoutActsBetweenLayersOnlyWhileTraining() {
    Rng rng = new Rng(6);
    Tensor x = Tensor.randn(rng, 4, 5, 3);
    LSTM lstm = new LSTM(6).layers(2).dropout(0.5f).returnSequences(true);
    lstm.buildFor(new int[] {5, 3});
    lstm.eval();
    float[] a = lstm.forward(x).toArray(), b = lstm.forward(x).toArray();
    assertArrayEquals(a, b);
    lstm.train(true);
    assertFalse(Arrays.equals(a, lstm.forward(x).toArray()), "dropout changed nothing in training");
    LSTM single = new LSTM(6).dropout(0.5f).returnSequences(true);   // one layer: nothing to drop between
    single.buildFor(new int[] {5, 3});
    assertArrayEquals(single.forward(x).toArray(), single.eval().forward(x).toArray());
  }

  @Test
  void stateRoundTripsIntoTheNextRun() {
    // Running T steps equals running the first half, then the second from the returned state.
    Rng rng = new Rng(7);
    LSTM lstm = new LSTM(5).layers(2);
    Tensor x = Tensor.randn(rng, 2, 6, 3);
    var whole = lstm.run(x, null, null);
    var first = lstm.run(x.slice(1, 0, 3), null, null);
    var second = lstm.run(x.slice(1, 3, 6), null, first.state());
    for (int i = 0; i < 4; i++) Golden.assertClose("state " + i, whole.state().get(i), second.state().get(i), 1e-6, 1e-6);
    Golden.assertClose("outputs", whole.sequence().slice(1, 3, 6), second.sequence(), 1e-6, 1e-6);
  }

  @Test
  void inferenceRecordsNothing() {
    Tensor x = Tensor.randn(new Rng(8), 2, 3, 4);
    GRU gru = new GRU(3).returnSequences(true);
    gru.buildFor(new int[] {3, 4});
    try (var s = GradMode.off()) {
      assertNull(gru.forward(x).gradFn());
    }
    assertTrue(gru.forward(x).gradFn() != null);
  }

  @Test
  void toStringShowsOnlyNonDefaults() {
    assertEquals("LSTM(64)", new LSTM(64).toString());
    assertEquals("GRU(8, returnSequences=true, layers=2, dropout=0.25)",
        new GRU(8).returnSequences(true).layers(2).dropout(0.25f).toString());
    assertEquals("SimpleRNN(4, activation=relu)", new SimpleRNN(4).relu().toString());
    assertEquals("Bidirectional(LSTM(3, returnSequences=true))", new Bidirectional(new LSTM(3).returnSequences(true)).toString());
  }

  @Test
  void configRoundTrips() {
    var l = new LSTM(8).returnSequences(true).layers(3).dropout(0.1f);
    assertEquals(l.config(), LSTM.of(l.config()).config());
    var g = new GRU(5).layers(2);
    assertEquals(g.config(), GRU.of(g.config()).config());
    var r = new SimpleRNN(4).sigmoid().returnSequences(true);
    assertEquals(r.config(), SimpleRNN.of(r.config()).config());
  }

  // ---------------------------------------------------------------- the seed model

  @Test
  void seedLstmModelBuildsInSequential() {
    Seeds.set(1);
    Sequential m = Sequential.of(new Embedding(10000, 64), new LSTM(64).returnSequences(true), new LSTM(64),
        new Dense(10).softmax()).input(100);
    String s = m.summary();
    // embedding 640,000; each LSTM 4*64*(64+64) + 2*256 = 33,280; dense 650 (as PyTorch counts)
    assertTrue(s.contains("Total params: 707,210"), s);
    assertTrue(s.contains("(None, 100, 64)"), s);
    assertArrayEquals(new int[] {3, 10}, m.forward(Tensor.zeros(3, 100)).shape());
  }

  @ParameterizedTest
  @EnumSource(names = {"LSTM", "GRU"})
  void seedModelLearnsASmallTask(Cell cell) {
    // Label = whether token 1 occurs anywhere in a padded sequence: the state must carry it to the end.
    Rng rng = new Rng(9);
    int n = 256, t = 12;
    float[] ids = new float[n * t], labels = new float[n];
    for (int i = 0; i < n; i++) {
      int len = 4 + rng.nextInt(t - 3);
      boolean has = rng.nextInt(2) == 1;
      for (int j = 0; j < len; j++) ids[i * t + j] = 2 + rng.nextInt(8);
      if (has) ids[i * t + rng.nextInt(len)] = 1;
      labels[i] = has ? 1 : 0;
    }
    Seeds.set(2);
    Sequential m = Sequential.of(new Embedding(10, 8).paddingIdx(0),
        cell == Cell.LSTM ? new LSTM(16).returnSequences(true) : new GRU(16).returnSequences(true),
        cell == Cell.LSTM ? new LSTM(16) : new GRU(16), new Dense(2).softmax()).input(t);
    m.compile(Optimizers.adam(1e-2), Losses.sparseCategoricalCrossentropy(), org.neurite.train.Metrics.accuracy());
    long t0 = System.nanoTime();
    History h = m.fit(Tensor.of(ids, n, t), Tensor.of(labels, n), Fit.epochs(15).batchSize(32).seed(3).verbose(false));
    double[] loss = h.get("loss");
    assertTrue(loss[loss.length - 1] < 0.25 * loss[0], "loss should fall clearly: " + Arrays.toString(loss));
    assertTrue(h.last().get("accuracy") > 0.9, h.last().toString());
    assertTrue(System.nanoTime() - t0 < 30e9, "training took over 30 s");
  }

  // ---------------------------------------------------------------- errors

  @Test
  void badInputsAreErrorsThatNameTheLayer() {
    LSTM lstm = new LSTM(4);
    lstm.buildFor(new int[] {5, 3});
    assertMessage(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(2, 5, 7)),
        "LSTM(4)", "expected input [N, 5, 3]", "got [2, 5, 7]");
    assertMessage(IllegalArgumentException.class, () -> lstm.run(Tensor.zeros(2, 5, 7), null, null),
        "LSTM(4)", "expected input [N, T, 3], got [2, 5, 7]");
    assertMessage(IllegalArgumentException.class, () -> lstm.run(Tensor.zeros(2, 3), null, null),
        "LSTM(4)", "got [2, 3]", "Hint: add the time axis");
    assertMessage(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(2, 5, 3), Tensor.ones(2, 4)),
        "LSTM(4)", "mask must be [2, 5]", "got [2, 4]");
    assertMessage(IllegalArgumentException.class, () -> lstm.run(Tensor.zeros(2, 5, 3), null, List.of(Tensor.zeros(2, 4))),
        "LSTM(4)", "initial state needs 2 tensors (h and c per layer), got 1");
    assertMessage(IllegalArgumentException.class,
        () -> lstm.run(Tensor.zeros(2, 5, 3), null, List.of(Tensor.zeros(2, 4), Tensor.zeros(3, 4))),
        "LSTM(4) layer 0", "initial c must be [2, 4], got [3, 4]");
    assertMessage(IllegalArgumentException.class, () -> new GRU(3).buildFor(new int[] {5}),
        "GRU(3)", "expected input [N, T, features]", "Embedding");
    assertMessage(IllegalArgumentException.class, () -> new Bidirectional(new GRU(3)).run(Tensor.zeros(1, 2, 2), null,
        List.of(Tensor.zeros(1, 3))), "Bidirectional(GRU(3))", "initial state needs 2 tensors", "got 1");
    LSTM built = new LSTM(2);
    built.buildFor(new int[] {3, 3});
    assertMessage(IllegalArgumentException.class, () -> new Bidirectional(built), "already built");
  }

  @Test
  void badOptionsAreErrors() {
    assertMessage(IllegalArgumentException.class, () -> new LSTM(0), "LSTM: units (0) must be >= 1");
    assertMessage(IllegalArgumentException.class, () -> new GRU(4).layers(0), "GRU: layers (0) must be >= 1");
    assertMessage(IllegalArgumentException.class, () -> new SimpleRNN(4).dropout(1f), "SimpleRNN: dropout (1.0) must be in [0, 1)");
  }

  @Test
  void badShapesToTheOpAreErrors() {
    Tensor w = Tensor.zeros(16, 3), u = Tensor.zeros(16, 4), b = Tensor.zeros(16);
    assertMessage(IllegalArgumentException.class,
        () -> Recurrent.sequence(Cell.LSTM, Tensor.zeros(5, 3), null, null, w, u, b, b, null, false),
        "lstm: expected input [N, T, F], got [5, 3]", "unsqueeze(0)");
    assertMessage(IllegalArgumentException.class,
        () -> Recurrent.sequence(Cell.GRU, Tensor.zeros(2, 5, 3), null, null, w, u, b, b, null, false),
        "gru: weight_hh must be [3*H, H], got [16, 4]");
    assertMessage(IllegalArgumentException.class,
        () -> Recurrent.sequence(Cell.LSTM, Tensor.zeros(2, 5, 2), null, null, w, u, b, b, null, false),
        "lstm: weight_ih must be [16, 2]", "got [16, 3]");
    assertMessage(IllegalArgumentException.class,
        () -> Recurrent.sequence(Cell.LSTM, Tensor.zeros(2, 5, 3), null, null, w, u, Tensor.zeros(12), b, null, false),
        "lstm: biases must be [16], got [12]");
    assertMessage(IllegalArgumentException.class,
        () -> Recurrent.sequence(Cell.RNN_TANH, Tensor.zeros(2, 5, 3), null, Tensor.zeros(2, 4), Tensor.zeros(4, 3),
            Tensor.zeros(4, 4), null, null, null, false),
        "rnn_tanh: only the LSTM has a cell state");
    assertMessage(IllegalArgumentException.class,
        () -> Recurrent.sequence(Cell.LSTM, Tensor.zeros(2, 5, 3), Tensor.zeros(2, 5), null, w, u, b, b, null, false),
        "lstm: initial h must be [2, 4], got [2, 5]");
    assertMessage(IllegalArgumentException.class,
        () -> Recurrent.sequence(Cell.LSTM, Tensor.zeros(2, 5, 3), null, null, w, u, b, b, Tensor.ones(5, 2), false),
        "lstm: mask must be [2, 5]", "got [5, 2]");
  }
}
