package org.neurite.train;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neurite.autograd.GradMode;
import org.neurite.io.Checkpoints;
import org.neurite.nn.Inference;
import org.neurite.nn.Module;
import org.neurite.nn.Training;
import org.neurite.optim.Optimizer;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.tensor.Workspace;

/**
 * The training loop behind {@code compile}/{@code fit}/{@code evaluate}/{@code predict}: batches in
 * a seeded order, forward, loss, backward, optimizer step, metrics, validation and callbacks. With
 * one thread and a fixed seed two runs give the same weights.
 *
 * <p>Reliability (docs/RELIABILITY.md) is in callbacks that every {@code fit} adds: a NaN or Inf loss
 * or gradient stops training with the epoch, the step and the first layer whose output went non-finite
 * ({@code TerminateOnNaN}; {@link Fit#skipNonFinite} skips the batch instead), exploding gradients are
 * reported once per epoch, a model and batch that will not fit in the heap fail before the first step
 * with the estimate ({@code HeapCheck}), and {@link Fit#resume} continues a killed run from its last
 * checkpoint ({@link BackupAndRestore}).
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
  private int epoch, first, batches;
  private long seen;
  private boolean skip;
  private Fit running;
  private List<Checkpoints.CallbackState> restored;

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

  /** The callbacks of the running {@code fit}, in order: those its {@link Fit} options add, then those given. */
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
   * Trains the model on {@code train} as {@code fit} says: a plain loop over epochs and batches that calls
   * the callbacks, those {@code fit} names and those its options add ({@link Fit#allCallbacks}).
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
    ensureAttached(train.batch(new int[] {0}, new Rng(0)).x());
    running = fit;
    first = fit.initialEpoch;
    restored = fit.callbackStates;
    History history = new History();
    Progress progress = new Progress(out, Progress.isTerminal());
    List<Callback> all = fit.allCallbacks();
    // The NaN check adds its counts to the logs that the history records and the progress line shows; checkpoints
    // see the epoch's end last, so they save every other callback's state after that epoch.
    Callback record = new Callback() {
      @Override
      public void onEpochEnd(Trainer t, int e, Map<String, Double> logs) {
        history.add(logs);
        if (fit.verbose) progress.epochEnd(batches, seen, logs);
      }
    };
    all.add(record);
    callbacks = java.util.Collections.unmodifiableList(all);
    List<Callback> endOrder = new ArrayList<>(all);
    endOrder.sort(java.util.Comparator.comparingInt(c -> c instanceof TerminateOnNaN ? 0 : c == record ? 1
        : c instanceof ModelCheckpoint ? 3 : c instanceof BackupAndRestore ? 4 : 2));
    Workspace workspace = new Workspace();
    stop = false;
    for (Callback c : callbacks) c.onTrainBegin(this);
    if (restored != null) Callbacks.restoreStates(restored, callbacks);
    for (epoch = first; epoch < fit.epochs && !stop; epoch++) {
      for (Callback c : callbacks) c.onEpochBegin(this, epoch);
      model.train(true);
      metrics.forEach(Metric::reset);
      double lossSum = 0;
      seen = 0;
      if (fit.verbose) progress.epochBegin(epoch, fit.epochs);
      try (Loader loader = new Loader(train, order(train.size(), fit.shuffle, fit.seed, epoch), fit.batchSize, fit.seed * 7919 + epoch)) {
        batches = loader.batches();
        for (int b = 0; loader.hasNext(); b++) {
          Dataset.Batch batch = loader.next();
          for (Callback c : callbacks) c.onBatchBegin(this, epoch, b, batches);
          optimizer.zeroGrad();
          skip = false;
          float lv;
          // The step's activations and gradients live in the workspace scope; metrics read the output
          // before it closes, and the parameters' gradients the optimizer reads are never pooled.
          try (var scope = workspace.enter()) {
            Tensor output = model.forward(batch.x());
            Tensor l = loss.compute(output, batch.y(), sampleWeights(fit.classWeights, batch.y()));
            lv = l.item();
            if (Float.isFinite(lv)) l.backward();
            Callback.Step step = new Callback.Step(epoch, b, batches, batch, lv);
            for (Callback c : callbacks) c.onBatchEnd(this, step);
            if (skip) {
              optimizer.zeroGrad();
              continue;
            }
            Tensor detached = output.detach();
            for (Metric m : metrics) m.update(detached, batch.y());
          }
          optimizer.step();
          int n = batch.x().shape(0);
          lossSum += (double) lv * n;
          seen += n;
          if (fit.verbose && progress.drawsBatches()) progress.batch(b + 1, batches, seen, running(lossSum / Math.max(1, seen)));
        }
      }
      Map<String, Double> logs = running(lossSum / Math.max(1, seen));
      if (val != null) evaluate(val, fit.batchSize).forEach((k, v) -> logs.put("val_" + k, v));
      logs.put("lr", (double) optimizer.learningRate());
      for (Callback c : endOrder) c.onEpochEnd(this, epoch, logs);
    }
    for (Callback c : callbacks) c.onTrainEnd(this);
    model.train(true);
    return history;
  }

  /** The options of the running {@code fit}, for the callbacks it adds. */
  Fit running() {
    return running;
  }

  /** Where progress and reports go. */
  PrintStream out() {
    return out;
  }

  /** For {@link BackupAndRestore}, in {@code onTrainBegin}: start at {@code nextEpoch} and give the callbacks these states. */
  void resumeAt(int nextEpoch, List<Checkpoints.CallbackState> states) {
    first = nextEpoch;
    restored = states;
  }

  /** From {@link Callback#onBatchEnd}: drops the current batch's update (no optimizer step, no metrics, not in the loss). */
  public void skipBatch() {
    skip = true;
  }

  /**
   * Loss and metrics over a dataset, in evaluation mode. The forward records its graph (nothing runs
   * backward), so the loss recovers the logits behind a softmax or sigmoid as in training and
   * "val_loss" is the same formula as "loss". Evaluation mode is held as {@link #inference} holds it,
   * so predictions running meanwhile on other threads neither see nor undo it.
   *
   * @param data the dataset
   * @param batchSize samples per batch
   * @return "loss" and each metric, by name
   */
  public Map<String, Double> evaluate(Dataset data, int batchSize) {
    if (data.size() == 0) throw new IllegalArgumentException("evaluate: the dataset is empty");
    List<Metric> ms = new ArrayList<>();
    for (Metric m : metrics) ms.add(Metrics.byName(m.name()));
    double lossSum = 0;
    Workspace ws = new Workspace();
    try (var eval = Inference.evalMode(model); var g = GradMode.on(); Loader loader = new Loader(data, identity(data.size()), batchSize, 0)) {
      while (loader.hasNext()) {
        Dataset.Batch batch = loader.next();
        try (var scope = ws.enter()) {
          Tensor output = model.forward(batch.x());
          lossSum += (double) loss.compute(output, batch.y()).item() * batch.x().shape(0);
          Tensor detached = output.detach();
          for (Metric m : ms) m.update(detached, batch.y());
        }
      }
    }
    Map<String, Double> logs = new LinkedHashMap<>();
    logs.put("loss", lossSum / data.size());
    for (Metric m : ms) logs.put(m.name(), m.result());
    return logs;
  }

  /**
   * Model outputs for inputs {@code [N, ...]}, computed in batches in evaluation mode without a graph;
   * safe from many threads at once on a model that none trains ({@link Inference#predict}).
   *
   * @param model the model
   * @param x the inputs {@code [N, ...]}
   * @param batchSize samples per forward pass
   * @return the outputs, {@code [N, ...]}
   */
  public static Tensor predict(Module model, Tensor x, int batchSize) {
    return Inference.predict(model, x, batchSize);
  }

  /**
   * Evaluation mode for {@code model} and no graph on this thread until the scope closes
   * ({@link Inference#of}): what {@link #predict} runs in, for callers that run the model themselves.
   *
   * @param model the model
   * @return the scope, to close (try-with-resources)
   */
  public static GradMode.Scope inference(Module model) {
    return Inference.of(model);
  }

  /**
   * The trainer that {@code model.compile(...)} set.
   *
   * @param model a compiled model
   * @return its trainer
   * @throws IllegalStateException if the model is not compiled
   */
  public static Trainer of(Module model) {
    return ((Compiled) model.training()).trainer;
  }

  /** A trainer as {@code Module}'s Keras-style methods see it. */
  private record Compiled(Trainer trainer) implements Training {
    @Override
    @SuppressWarnings("unchecked")   // Fit, the one Options, makes a fit return a History
    public <R> R fit(Training.Data data, Training.Options<R> options) {
      return (R) trainer.fit((Dataset) data, (Fit) options);
    }

    @Override
    public Map<String, Double> evaluate(Training.Data data, int batchSize) {
      return trainer.evaluate((Dataset) data, batchSize);
    }

    @Override
    public Training.Data data(Tensor x, Tensor y) {
      return new TensorDataset(x, y);
    }
  }

  /** What {@code Module.compile} finds as a service ({@code META-INF/services}): it makes the model's trainer. */
  public static final class Provider implements Training.Factory {
    /** For {@link java.util.ServiceLoader}. */
    public Provider() {}

    @Override
    public Training compile(Module model, Optimizer optimizer, Training.Loss loss, Training.Metric... metrics) {
      org.neurite.train.Metric[] ms = new org.neurite.train.Metric[metrics.length];
      for (int i = 0; i < ms.length; i++) ms[i] = (org.neurite.train.Metric) metrics[i];
      return new Compiled(new Trainer(model, optimizer, (org.neurite.train.Loss) loss, ms));
    }

    @Override
    public Training compile(Module model, String optimizer, String loss, String... metrics) {
      org.neurite.train.Metric[] ms = new org.neurite.train.Metric[metrics.length];
      for (int i = 0; i < ms.length; i++) ms[i] = Metrics.byName(metrics[i]);
      return new Compiled(new Trainer(model, org.neurite.optim.Optimizers.byName(optimizer), Losses.byName(loss), ms));
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
