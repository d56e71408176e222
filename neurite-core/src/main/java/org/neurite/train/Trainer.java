package org.neurite.train;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neurite.autograd.GradMode;
import org.neurite.io.Checkpoints;
import org.neurite.io.Heap;
import org.neurite.io.ModelFiles;
import org.neurite.nn.Module;
import org.neurite.nn.Sequential;
import org.neurite.optim.Optimizer;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;
import org.neurite.tensor.Workspace;

/**
 * The training loop behind {@code compile}/{@code fit}/{@code evaluate}/{@code predict}: batches in
 * a seeded order, forward, loss, backward, optimizer step, metrics, validation and callbacks. With
 * one thread and a fixed seed two runs give the same weights.
 *
 * <p>Reliability (docs/RELIABILITY.md): a NaN or Inf loss or gradient stops training with the epoch,
 * the step and the first layer whose output went non-finite ({@link Fit#skipNonFinite} skips the
 * batch instead); exploding gradients are reported once per epoch; a model and batch that will not
 * fit in the heap fail before the first step with the estimate; {@link Fit#resume} continues a
 * killed run from its last checkpoint with the same weights, optimizer state and epoch (batch order
 * and augmentation derive from (seed, epoch, batch), so they need no saved state).
 *
 * <p>Not thread-safe: a trainer runs one {@code fit} or {@code evaluate} at a time on its model; the static
 * {@link #predict} and {@link #inference} may be called from many threads (see there).
 */
public final class Trainer {
  private final Module model;
  private final Optimizer optimizer;
  private final Loss loss;
  private final List<Metric> metrics;
  private PrintStream out = System.out;
  private boolean stop;
  private List<Callback> callbacks = List.of();
  private int epoch;

  /**
   * A trainer of {@code model}.
   *
   * @param model the model to train
   * @param optimizer its optimizer
   * @param loss the training objective
   * @param metrics the metrics to log each epoch
   */
  public Trainer(Module model, Optimizer optimizer, Loss loss, Metric... metrics) {
    this.model = model;
    this.optimizer = optimizer;
    this.loss = loss;
    this.metrics = List.of(metrics);
  }

  /** {@return the model} */
  public Module model() {
    return model;
  }

  /** The callbacks of the running {@code fit}, in order (with the checkpoint a resumable fit adds). */
  public List<Callback> callbacks() {
    return callbacks;
  }

  /** {@return the optimizer} */
  public Optimizer optimizer() {
    return optimizer;
  }

  /** {@return the loss} */
  public Loss loss() {
    return loss;
  }

  /** {@return the metrics} */
  public List<Metric> metrics() {
    return metrics;
  }

  /**
   * The epoch being run (0-based).
   *
   * @return the epoch
   */
  public int epoch() {
    return epoch;
  }

  /**
   * Where progress goes (default standard output).
   *
   * @param ps the stream
   * @return this
   */
  public Trainer output(PrintStream ps) {
    out = ps;
    return this;
  }

  /** Asks {@code fit} to stop after the current epoch (early stopping). */
  public void stop() {
    stop = true;
  }

  /**
   * Trains the model on {@code train} as {@code fit} says.
   *
   * @param train the training set
   * @param fit the options
   * @return each epoch's logs
   */
  public History fit(Dataset train, Fit fit) {
    Dataset val = fit.validationData;
    if (fit.validationSplit > 0) {
      int keep = (int) Math.round(train.size() * (1 - fit.validationSplit));
      Dataset[] parts = train.split(keep);
      train = parts[0];
      val = parts[1];
    }
    if (train.size() == 0) throw new IllegalArgumentException("fit: the training set is empty");
    Tensor sample = train.batch(new int[] {0}, new Rng(0)).x();
    ensureAttached(sample);
    checkHeap(fit.batchSize);
    if (sample.rank() == 4) Warmup.forBatches(4L * sample.size() * fit.batchSize, sample.shape(1));
    int first = fit.initialEpoch;
    List<Callback> callbacks = new ArrayList<>(fit.callbacks);
    List<Checkpoints.CallbackState> restored = fit.callbackStates;
    if (fit.resumeDir != null) {
      Checkpoints.Resume r = resume(fit);
      if (r != null) {
        first = r.nextEpoch();
        restored = r.callbacks();
      }
      callbacks.add(new ModelCheckpoint(fit.resumeDir, null, true, Map.of("seed", fit.seed)).lastOnly());
    }
    this.callbacks = java.util.Collections.unmodifiableList(callbacks);
    // Checkpoints see the epoch's end last, so they save every other callback's state after that epoch.
    List<Callback> endOrder = new ArrayList<>(callbacks.stream().filter(c -> !(c instanceof ModelCheckpoint)).toList());
    callbacks.stream().filter(c -> c instanceof ModelCheckpoint).forEach(endOrder::add);
    History history = new History();
    Progress progress = new Progress(out, Progress.isTerminal());
    Numerics numerics = new Numerics(fit);
    Workspace workspace = new Workspace();
    stop = false;
    for (Callback c : callbacks) c.onTrainBegin(this);
    if (restored != null) Callbacks.restoreStates(restored, callbacks);
    for (epoch = first; epoch < fit.epochs && !stop; epoch++) {
      for (Callback c : callbacks) c.onEpochBegin(this, epoch);
      model.train(true);
      metrics.forEach(Metric::reset);
      int[] order = order(train.size(), fit.shuffle, fit.seed, epoch);
      double lossSum = 0;
      long seen = 0;
      if (fit.verbose) progress.epochBegin(epoch, fit.epochs);
      try (Loader loader = new Loader(train, order, fit.batchSize, fit.seed * 7919 + epoch)) {
        int b = 0;
        while (loader.hasNext()) {
          Dataset.Batch batch = loader.next();
          for (Callback c : callbacks) c.onBatchBegin(this, epoch, b, loader.batches());
          b++;
          optimizer.zeroGrad();
          float lv;
          // The step's activations and gradients live in the workspace scope; metrics read the output
          // before it closes, and the parameters' gradients the optimizer reads are never pooled.
          try (var scope = workspace.enter()) {
            Tensor output = model.forward(batch.x());
            Tensor l = loss.compute(output, batch.y(), sampleWeights(fit.classWeights, batch.y()));
            lv = l.item();
            if (!Float.isFinite(lv)) {
              numerics.nonFinite("loss became " + lv, b, loader.batches(), diagnoseForward(batch.x()));
              continue;
            }
            l.backward();
            String bad = numerics.checkGradients(b, loader.batches());
            if (bad != null) {
              numerics.nonFinite("the gradient of " + bad + " became non-finite (loss " + lv + ")", b, loader.batches(), null);
              continue;
            }
            Tensor detached = output.detach();
            for (Metric m : metrics) m.update(detached, batch.y());
          }
          optimizer.step();
          int n = batch.x().shape(0);
          lossSum += (double) lv * n;
          seen += n;
          if (fit.verbose && progress.drawsBatches()) progress.batch(b, loader.batches(), seen, running(lossSum / Math.max(1, seen)));
        }
        Map<String, Double> logs = running(lossSum / Math.max(1, seen));
        if (val != null) evaluate(val, fit.batchSize).forEach((k, v) -> logs.put("val_" + k, v));
        logs.put("lr", (double) optimizer.learningRate());
        numerics.epochEnd(logs);
        history.add(logs);
        if (fit.verbose) progress.epochEnd(loader.batches(), seen, logs);
        for (Callback c : endOrder) c.onEpochEnd(this, epoch, logs);
      }
    }
    for (Callback c : callbacks) c.onTrainEnd(this);
    model.train(true);
    return history;
  }

  /** Restores {@code fit.resumeDir/last} when it exists; returns what it restored, or null when there is none. */
  private Checkpoints.Resume resume(Fit fit) {
    if (!(model instanceof Sequential seq))
      throw new IllegalStateException("fit: resume needs a Sequential model (checkpoints are config.json + safetensors)");
    java.nio.file.Path last = fit.resumeDir.resolve("last");
    try {
      ModelFiles.recover(last);
      if (!java.nio.file.Files.isDirectory(last)) return null;
      Checkpoints.Resume r = Checkpoints.restore(last, seq, optimizer);
      Object seed = r.info().get("seed");
      if (seed != null && ((Number) seed).longValue() != fit.seed)
        throw new IllegalStateException("fit: " + last + " was trained with seed " + seed + ", resuming with seed " + fit.seed
            + "; pass Fit.seed(" + seed + ") so the remaining epochs see the same batches");
      if (fit.verbose) out.println("Resuming from " + last + " at epoch " + (r.nextEpoch() + 1) + "/" + fit.epochs);
      return r;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("fit: cannot resume from " + last + ": " + e.getMessage(), e);
    }
  }

  /**
   * Before the first batch: weights, gradients and optimizer state (counted as four copies of the
   * parameters, Adam's worst case) plus a batch's activations (each layer's output, kept for the
   * backward and matched by its gradient) must fit in the heap. Fails with the estimate otherwise.
   */
  private void checkHeap(int batchSize) {
    long params = model.parameterCount();
    long acts = 0;
    if (model instanceof Sequential seq) {
      for (Module m : seq.layers()) {
        int[] s = m.outputShape();
        if (s == null) continue;
        long n = 1;
        for (int d : s) n *= d;
        acts += n;
      }
    }
    long bytes = 4 * (4 * params + 2 * acts * (long) batchSize);
    Heap.require("fit: " + String.format(java.util.Locale.ROOT, "%,d", params) + " parameters and batch size " + batchSize, bytes);
  }

  /**
   * Runs the batch through the layers again, one at a time and without a graph, and names the first
   * layer whose output holds NaN or Inf. Buffers (BatchNorm's statistics) are put back afterwards.
   */
  private String diagnoseForward(Tensor x) {
    if (!allFinite(x)) return "the input batch already holds NaN or Inf; check the data";
    if (!(model instanceof Sequential seq)) return null;
    Map<String, Tensor> state = model.stateDict();
    Map<String, float[]> saved = new LinkedHashMap<>();
    state.forEach((k, v) -> saved.put(k, v.data().clone()));
    try (var g = GradMode.off()) {
      Tensor h = x, mask = null;
      List<Module> layers = seq.layers();
      for (int i = 0; i < layers.size(); i++) {
        Module layer = layers.get(i);
        Tensor in = h;
        h = mask != null && layer instanceof org.neurite.nn.MaskAware m ? m.forward(h, mask) : layer.forward(h);
        if (layer instanceof org.neurite.nn.MaskSource ms) mask = ms.computeMask(in);
        else if (mask != null && (h.rank() < 3 || h.shape(1) != mask.shape(1))) mask = null;
        if (!allFinite(h)) return "the first non-finite output is that of layers." + i + " " + layer + " (its input was finite)";
      }
      return "every layer's output is finite: the loss itself overflowed (check the targets and the loss)";
    } catch (RuntimeException e) {
      return null;
    } finally {
      state.forEach((k, v) -> System.arraycopy(saved.get(k), 0, v.storage(), 0, v.size()));
    }
  }

  static boolean allFinite(Tensor t) {
    Tensor c = t.contiguous();
    float[] d = c.data();
    for (int i = 0; i < c.size(); i++) if (!Float.isFinite(d[i])) return false;
    return true;
  }

  /**
   * Non-finite losses and gradients, and exploding gradients. The global gradient norm of each step
   * is compared with the running median of the norms before it (a window of the last 64 steps); a
   * step more than {@link Fit#explodingFactor} times above it is reported, at most once per epoch
   * with the count, on the trainer's output.
   */
  private final class Numerics {
    private final Fit fit;
    private final double[] window = new double[64];
    private int filled, next, exploding, skipped;
    private String worst;
    private double worstNorm, worstMedian;

    Numerics(Fit fit) {
      this.fit = fit;
    }

    void nonFinite(String what, int step, int steps, String diagnosis) {
      String where = "fit: " + what + " at epoch " + (epoch + 1) + ", batch " + step + " of " + steps + " (step "
          + ((long) epoch * steps + step) + ")";
      if (fit.skipNonFinite) {
        skipped++;
        optimizer.zeroGrad();
        if (skipped <= 3) out.println(where + "; batch skipped" + (diagnosis == null ? "" : " (" + diagnosis + ")"));
        return;
      }
      throw new ArithmeticException(where + (diagnosis == null ? "" : "; " + diagnosis) + "; lower the learning rate (now "
          + optimizer.learningRate() + "), clip gradients (optimizer.clipNorm(1.0)) or check the data for NaN/Inf;"
          + " Fit.skipNonFinite(true) skips such batches instead");
    }

    /** Returns the name of the first parameter whose gradient is not finite, or null. */
    String checkGradients(int step, int steps) {
      double sq = 0, largest = -1;
      String largestName = null;
      for (var e : model.namedParameters().entrySet()) {
        Tensor g = e.getValue().grad();
        if (g == null) continue;
        double s = 0;
        for (float v : g.data()) s += (double) v * v;
        if (!Double.isFinite(s)) return e.getKey();
        if (s > largest) {
          largest = s;
          largestName = e.getKey();
        }
        sq += s;
      }
      double norm = Math.sqrt(sq);
      if (filled >= 8) {
        double median = median();
        if (norm > fit.explodingFactor * Math.max(median, 1e-12)) {
          exploding++;
          if (norm / median > worstNorm / Math.max(worstMedian, 1e-300) || worst == null) {
            worst = "epoch " + (epoch + 1) + ", batch " + step + " of " + steps + ": global norm "
                + String.format(java.util.Locale.ROOT, "%.3g", norm) + ", " + String.format(java.util.Locale.ROOT, "%.0f", norm / median)
                + "x the median " + String.format(java.util.Locale.ROOT, "%.3g", median) + ", largest in " + largestName;
            worstNorm = norm;
            worstMedian = median;
          }
        }
      }
      window[next] = norm;
      next = (next + 1) % window.length;
      filled = Math.min(window.length, filled + 1);
      return null;
    }

    private double median() {
      double[] w = java.util.Arrays.copyOf(window, filled);
      java.util.Arrays.sort(w);
      return w[w.length / 2];
    }

    void epochEnd(Map<String, Double> logs) {
      if (exploding > 0) {
        out.println("fit: exploding gradients: " + exploding + " step(s) with a gradient norm over " + fit.explodingFactor
            + "x the running median; worst at " + worst + "; consider optimizer.clipNorm(...) or a lower learning rate");
        logs.put("exploding_steps", (double) exploding);
      }
      if (skipped > 0) {
        logs.put("skipped_batches", (double) skipped);
        if (skipped > 3) out.println("fit: " + skipped + " batches skipped this epoch for a non-finite loss or gradient");
      }
      exploding = 0;
      skipped = 0;
      worst = null;
      worstNorm = 0;
      worstMedian = 0;
    }
  }

  /**
   * Loss and metrics over a dataset, in evaluation mode without a graph.
   *
   * @param data the dataset
   * @param batchSize samples per batch
   * @return "loss" and each metric, by name
   */
  public Map<String, Double> evaluate(Dataset data, int batchSize) {
    if (data.size() == 0) throw new IllegalArgumentException("evaluate: the dataset is empty");
    boolean was = model.isTraining();
    model.eval();
    List<Metric> ms = new ArrayList<>();
    for (Metric m : metrics) ms.add(Metrics.byName(m.name()));
    double lossSum = 0;
    Workspace ws = new Workspace();
    try (var g = GradMode.off(); Loader loader = new Loader(data, identity(data.size()), batchSize, 0)) {
      while (loader.hasNext()) {
        Dataset.Batch batch = loader.next();
        try (var scope = ws.enter()) {
          Tensor output = model.forward(batch.x());
          lossSum += (double) loss.compute(output, batch.y()).item() * batch.x().shape(0);
          for (Metric m : ms) m.update(output, batch.y());
        }
      }
    } finally {
      model.train(was);
    }
    Map<String, Double> logs = new LinkedHashMap<>();
    logs.put("loss", lossSum / data.size());
    for (Metric m : ms) logs.put(m.name(), m.result());
    return logs;
  }

  /**
   * Model outputs for inputs {@code [N, ...]}, computed in batches in evaluation mode without a graph.
   * Safe to call from many threads at once on the same model (a loaded model serving requests): the
   * model is switched to evaluation mode while any prediction runs and back when the last one ends,
   * grad mode is per thread, and kernels keep their scratch memory per thread. Not safe while the
   * same model trains.
   *
   * @param model the model
   * @param x the inputs {@code [N, ...]}
   * @param batchSize samples per forward pass
   * @return the outputs, {@code [N, ...]}
   */
  public static Tensor predict(Module model, Tensor x, int batchSize) {
    if (x.rank() == 0 || x.shape(0) == 0) throw new IllegalArgumentException("predict: no samples in " + Shape.str(x.shape()));
    if (!model.isBuilt()) {
      synchronized (model) {   // the lazy build creates the weights: once, not once per thread
        if (!model.isBuilt()) {
          model.buildFrom(x.slice(0, 0, 1).contiguous());
        }
      }
    }
    List<Tensor> parts = new ArrayList<>();
    Workspace ws = new Workspace();
    try (var g = inference(model)) {
      for (int s = 0; s < x.shape(0); s += batchSize)
        try (var scope = ws.enter()) {
          parts.add(scope.keep(model.forward(x.slice(0, s, Math.min(x.shape(0), s + batchSize)).contiguous())));
        }
    }
    return parts.size() == 1 ? parts.get(0) : Tensor.concat(0, parts.toArray(new Tensor[0]));
  }

  /**
   * Evaluation mode for {@code model} and no graph on this thread until the scope closes: what
   * {@link #predict} runs in, for callers that run the model themselves (decoders, attention read-outs).
   * Many threads may hold scopes on one model at once; the model returns to training mode when the
   * last one closes, if it was training before the first.
   *
   * @param model the model
   * @return the scope, to close (try-with-resources)
   */
  public static GradMode.Scope inference(Module model) {
    enterEval(model);
    GradMode.Scope off = GradMode.off();
    return () -> {
      off.close();
      exitEval(model);
    };
  }

  // Per model: how many predictions run now, and whether the model was training before the first.
  private static final Map<Module, int[]> EVALUATING = new java.util.WeakHashMap<>();

  private static void enterEval(Module model) {
    synchronized (EVALUATING) {
      int[] c = EVALUATING.computeIfAbsent(model, k -> new int[2]);
      if (c[0]++ == 0) {
        c[1] = model.isTraining() ? 1 : 0;
        if (model.isTraining()) model.eval();
      }
    }
  }

  private static void exitEval(Module model) {
    synchronized (EVALUATING) {
      int[] c = EVALUATING.get(model);
      if (--c[0] == 0) {
        if (c[1] == 1) model.train(true);
        EVALUATING.remove(model);
      }
    }
  }

  private void ensureAttached(Tensor sample) {
    model.buildFrom(sample);
    optimizer.attach(model.parameters());
  }


  private Map<String, Double> running(double meanLoss) {
    Map<String, Double> logs = new LinkedHashMap<>();
    logs.put("loss", meanLoss);
    for (Metric m : metrics) logs.put(m.name(), m.result());
    return logs;
  }

  private static Tensor sampleWeights(float[] classWeights, Tensor y) {
    if (classWeights == null) return null;
    float[] labels = y.data(), w = new float[labels.length];
    for (int i = 0; i < w.length; i++) {
      int c = (int) labels[i];
      if (c < 0 || c >= classWeights.length)
        throw new IllegalArgumentException("fit: label " + labels[i] + " has no class weight (" + classWeights.length + " given)");
      w[i] = classWeights[c];
    }
    return Tensor.of(w, w.length);
  }

  static int[] identity(int n) {
    int[] o = new int[n];
    for (int i = 0; i < n; i++) o[i] = i;
    return o;
  }

  private static int[] order(int n, boolean shuffle, long seed, int epoch) {
    int[] o = identity(n);
    if (shuffle) new Rng(seed * 31 + epoch).shuffle(o);
    return o;
  }
}
