package org.neurite.bench;

import java.util.Map;
import org.neurite.autograd.GradMode;
import org.neurite.kernels.Parallel;
import org.neurite.nn.Dense;
import org.neurite.nn.Embedding;
import org.neurite.nn.GRU;
import org.neurite.nn.LSTM;
import org.neurite.nn.Module;
import org.neurite.nn.Seeds;
import org.neurite.nn.Sequential;
import org.neurite.ops.Functional;
import org.neurite.optim.Adam;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * {@code neurite bench rnn}: the seed LSTM text classifier of {@code peers/torch_lstm.py}
 * (Embedding(10000, 64), a 64-unit LSTM returning its sequence, a 64-unit LSTM keeping its last state,
 * Dense 10; sequence 100, batch 64; cross-entropy on logits; Adam 1e-3), training and inference
 * samples/s, per cell ("lstm", "gru": the same model with GRUs).
 *
 * <p>The model is built with {@code Sequential}, as a user would, and trained with the core Adam on
 * logits, as the peer trains its model.
 *
 * <p>Not thread-safe: a benchmark run sets the process-wide kernel thread count and times the whole
 * machine; run one at a time.
 */
public final class RnnBench {
  static final int VOCAB = 10000, EMB = 64, HID = 64, CLASSES = 10, SEQ = 100, BATCH = 64;

  private RnnBench() {}

  /**
   * Runs the workloads and prints one line per measurement.
   *
   * @param h the harness that prints the JSON lines
   * @param cells comma list of {@code lstm}, {@code gru}
   * @param threads kernel threads (the process-wide count is set to it)
   * @param reps timed repetitions per measurement
   * @param minRepS the least seconds one repetition lasts (short calls are repeated within it)
   */
  public static void run(Harness h, String cells, int threads, int reps, double minRepS) {
    Parallel.setThreads(threads);
    Map<String, Object> threadsKw = Harness.params("blas_threads", threads);
    Rng rng = new Rng(0);
    float[] ids = new float[BATCH * SEQ], labels = new float[BATCH];
    for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(VOCAB);
    for (int i = 0; i < BATCH; i++) labels[i] = rng.nextInt(CLASSES);
    Tensor x = Tensor.of(ids, BATCH, SEQ), y = Tensor.of(labels, BATCH);
    for (String cell : cells.split(",")) {
      if (!cell.equals("lstm") && !cell.equals("gru"))
        throw new IllegalArgumentException("bench rnn: --cells takes lstm and gru, got " + cell);
      Seeds.set(rng.nextLong());
      Sequential model = model(cell);
      Adam adam = new Adam(model.parameters(), 1e-3f);
      Map<String, Object> params = Harness.params("cell", cell, "vocab", VOCAB, "emb", EMB, "hidden", HID, "layers", 2,
          "seq", SEQ, "batch", BATCH, "classes", CLASSES, "optimizer", "Adam(1e-3)", "params", model.parameterCount());
      model.train(true);
      Harness.Stats st = h.bench(() -> {
        adam.zeroGrad();
        Functional.crossEntropy(model.forward(x), y).backward();
        adam.step();
      }, BATCH, reps, 3, minRepS, 10000);
      h.emit("rnn_train", params, "samples/s", st, threads, threadsKw);
      model.eval();
      st = h.bench(() -> {
        try (var s = GradMode.off()) {
          model.forward(x);
        }
      }, BATCH, reps, 3, minRepS, 10000);
      h.emit("rnn_infer", params, "samples/s", st, threads, threadsKw);
    }
  }

  /** The peer's SeedRNN as a user builds it, ending in logits. */
  static Sequential model(String cell) {
    Module first = cell.equals("lstm") ? new LSTM(HID).returnSequences(true) : new GRU(HID).returnSequences(true);
    Module second = cell.equals("lstm") ? new LSTM(HID) : new GRU(HID);
    return Sequential.of(new Embedding(VOCAB, EMB), first, second, new Dense(CLASSES)).input(SEQ);
  }

  /**
   * Runs the benchmark without the CLI: {@code RnnBench [cells] [threads] [reps]}.
   *
   * @param args optional cells, threads and repetitions
   */
  public static void main(String[] args) {
    run(new Harness(System.out), args.length > 0 ? args[0] : "lstm,gru", args.length > 1 ? Integer.parseInt(args[1]) : 2,
        args.length > 2 ? Integer.parseInt(args[2]) : 5, 1.0);
  }
}
