package org.neurite.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.neurite.autograd.GradMode;
import org.neurite.kernels.Parallel;
import org.neurite.nn.Dense;
import org.neurite.nn.Embedding;
import org.neurite.nn.Module;
import org.neurite.nn.PositionalEmbedding;
import org.neurite.nn.Seeds;
import org.neurite.nn.TransformerEncoderLayer;
import org.neurite.ops.Functional;
import org.neurite.optim.Adam;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * {@code neurite bench attention}: the Transformer workload of {@code peers/torch_attention.py}:
 * Embedding(10000, 64) + learned positional Embedding(100, 64), 2 x TransformerEncoderLayer(d 64,
 * 4 heads, ff 256, ReLU, post-norm), mean over time, Linear(64, 2); cross-entropy on logits, Adam 1e-3;
 * sequence 100, batch 64, random ids. Training is timed with dropout 0.1 and 0.0, inference (evaluation
 * mode, no graph) once.
 *
 * <p>The model is built from the library's layers as a user would (Embedding, PositionalEmbedding,
 * TransformerEncoderLayer, Dense), with the peer's parameter names. The peer's "attn" model (the seed's
 * LSTM + attention classifier) is not here yet.
 *
 * <p>Not thread-safe: a benchmark run sets the process-wide kernel thread count and times the whole
 * machine; run one at a time.
 */
public final class AttentionBench {
  static final int VOCAB = 10000, EMB = 64, SEQ = 100, BATCH = 64, CLASSES = 2, HEADS = 4, FF = 256, LAYERS = 2;

  private AttentionBench() {}

  /**
   * Runs the workloads and prints one line per measurement.
   *
   * @param h the harness that prints the JSON lines
   * @param models comma list of {@code attn}, {@code transformer}
   * @param threads kernel threads (the process-wide count is set to it)
   * @param reps timed repetitions per measurement
   * @param minRepS the least seconds one repetition lasts (short calls are repeated within it)
   */
  public static void run(Harness h, String models, int threads, int reps, double minRepS) {
    Parallel.setThreads(threads);
    Map<String, Object> threadsKw = Harness.params("blas_threads", threads);
    for (String m : models.split(",")) {
      switch (m.trim()) {
        case "transformer" -> transformer(h, threads, reps, minRepS, threadsKw);
        case "attn" -> attnLstm(h, threads, reps, minRepS, threadsKw);
        default -> throw new IllegalArgumentException("bench attention: --models takes attn and transformer, got " + m);
      }
    }
  }

  /**
   * The seed's attention classifier: Embedding(10000, 64), LSTM(64) over the whole sequence, the seed's
   * attention pooling (attn 50), Linear(64, 2) on logits; built with Sequential as a user would.
   */
  private static void attnLstm(Harness h, int threads, int reps, double minRepS, Map<String, Object> threadsKw) {
    Rng rng = new Rng(0);
    Tensor ids = randomInts(rng, VOCAB, BATCH, SEQ), y = randomInts(rng, CLASSES, BATCH);
    Seeds.set(0);
    var model = org.neurite.nn.Sequential.of(new Embedding(VOCAB, EMB), new org.neurite.nn.LSTM(64).returnSequences(true),
        new org.neurite.nn.AttentionPooling(50), new Dense(CLASSES)).input(SEQ);
    Adam adam = new Adam(model.parameters(), 1e-3f);
    Map<String, Object> params = Harness.params("model", "attn_lstm", "vocab", VOCAB, "seq", SEQ, "batch", BATCH,
        "classes", CLASSES, "optimizer", "Adam(1e-3)", "params", model.parameterCount(), "emb", EMB, "hidden", 64, "attn", 50);
    model.train(true);
    collect();
    Harness.Stats st = h.bench(() -> {
      adam.zeroGrad();
      Functional.crossEntropy(model.forward(ids), y).backward();
      adam.step();
    }, BATCH, reps, 3, minRepS, 10000);
    h.emit("attn_lstm_train", params, "samples/s", st, threads, threadsKw);
    model.eval();
    collect();
    st = h.bench(() -> {
      try (var g = GradMode.off()) {
        model.forward(ids);
      }
    }, BATCH, reps, 3, minRepS, 10000);
    h.emit("attn_lstm_infer", params, "samples/s", st, threads, threadsKw);
  }

  private static void transformer(Harness h, int threads, int reps, double minRepS, Map<String, Object> threadsKw) {
    Rng rng = new Rng(0);
    Tensor ids = randomInts(rng, VOCAB, BATCH, SEQ), y = randomInts(rng, CLASSES, BATCH);
    double[] dropouts = {0.1, 0.0};   // doubles, so that the JSON prints 0.1 as the peer does
    for (int i = 0; i < dropouts.length; i++) {
      Seeds.set(i);
      TransformerClassifier model = new TransformerClassifier((float) dropouts[i]);
      Adam adam = new Adam(model.parameters(), 1e-3f);
      Map<String, Object> params = Harness.params("model", "transformer", "vocab", VOCAB, "seq", SEQ, "batch", BATCH,
          "classes", CLASSES, "optimizer", "Adam(1e-3)", "params", model.parameterCount(), "d_model", EMB, "heads", HEADS,
          "ff", FF, "layers", LAYERS, "dropout", dropouts[i]);
      model.train(true);
      collect();
      Harness.Stats st = h.bench(() -> {
        adam.zeroGrad();
        Functional.crossEntropy(model.forward(ids), y).backward();
        adam.step();
      }, BATCH, reps, 3, minRepS, 10000);
      h.emit("transformer_train", params, "samples/s", st, threads, threadsKw);
      if (i == 0) {   // inference once: dropout is inert in evaluation mode
        model.eval();
        collect();
        st = h.bench(() -> {
          try (var g = GradMode.off()) {
            model.forward(ids);
          }
        }, BATCH, reps, 3, minRepS, 10000);
        Map<String, Object> p = new java.util.LinkedHashMap<>(params);
        p.remove("dropout");
        h.emit("transformer_infer", p, "samples/s", st, threads, threadsKw);
      }
    }
  }

  /**
   * Starts a workload from a collected heap, as a fresh process would: garbage promoted during the
   * previous workload would otherwise be charged to the next one.
   */
  /** Random ids (or labels) in [0, bound), as the peer's torch.randint. */
  static Tensor randomInts(Rng rng, int bound, int... shape) {
    float[] v = new float[org.neurite.tensor.Shape.size(shape)];
    for (int i = 0; i < v.length; i++) v[i] = rng.nextInt(bound);
    return Tensor.of(v, shape);
  }

  private static void collect() {
    System.gc();
  }

  /** The peer's TransformerClassifier: token + position embeddings, encoder layers, mean over time, linear. */
  static final class TransformerClassifier extends Module {
    private final Embedding emb = child("emb", new Embedding(VOCAB, EMB));
    private final PositionalEmbedding pos = child("pos", new PositionalEmbedding(SEQ));
    private final List<TransformerEncoderLayer> layers = new ArrayList<>();
    private final Dense fc;

    TransformerClassifier(float dropout) {
      emb.buildFor(new int[] {SEQ});
      pos.buildFor(new int[] {SEQ, EMB});
      for (int l = 0; l < LAYERS; l++) {
        TransformerEncoderLayer layer = new TransformerEncoderLayer(EMB, HEADS, FF).dropout(dropout);
        layer.buildFor(new int[] {SEQ, EMB});
        layers.add(child("enc.layers." + l, layer));
      }
      fc = child("fc", new Dense(CLASSES));
      fc.buildFor(new int[] {EMB});
    }

    /** Logits {@code [N, classes]} for token ids {@code [N, T]}. */
    @Override
    public Tensor forward(Tensor ids) {
      Tensor x = pos.forward(emb.forward(ids));
      for (TransformerEncoderLayer l : layers) x = l.forward(x);
      return fc.forward(x.mean(false, 1));
    }
  }
}
