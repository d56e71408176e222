package org.neurite.train;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neurite.autograd.GradMode;
import org.neurite.nn.Module;
import org.neurite.optim.Optimizer;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * The training loop behind {@code compile}/{@code fit}/{@code evaluate}/{@code predict}: batches in
 * a seeded order, forward, loss, backward, optimizer step, metrics, validation and callbacks. With
 * one thread and a fixed seed two runs give the same weights.
 */
public final class Trainer {
  private final Module model;
  private final Optimizer optimizer;
  private final Loss loss;
  private final List<Metric> metrics;
  private PrintStream out = System.out;
  private boolean stop;
  private int epoch;

  public Trainer(Module model, Optimizer optimizer, Loss loss, Metric... metrics) {
    this.model = model;
    this.optimizer = optimizer;
    this.loss = loss;
    this.metrics = List.of(metrics);
  }

  public Module model() {
    return model;
  }

  public Optimizer optimizer() {
    return optimizer;
  }

  public Loss loss() {
    return loss;
  }

  public List<Metric> metrics() {
    return metrics;
  }

  /** The epoch being run (0-based). */
  public int epoch() {
    return epoch;
  }

  /** Where progress goes (default standard output). */
  public Trainer output(PrintStream ps) {
    out = ps;
    return this;
  }

  /** Asks {@code fit} to stop after the current epoch (early stopping). */
  public void stop() {
    stop = true;
  }

  public History fit(Dataset train, Fit fit) {
    Dataset val = fit.validationData;
    if (fit.validationSplit > 0) {
      int keep = (int) Math.round(train.size() * (1 - fit.validationSplit));
      Dataset[] parts = train.split(keep);
      train = parts[0];
      val = parts[1];
    }
    if (train.size() == 0) throw new IllegalArgumentException("fit: the training set is empty");
    ensureAttached(train);
    History history = new History();
    Progress progress = new Progress(out, Progress.isTerminal());
    stop = false;
    for (Callback c : fit.callbacks) c.onTrainBegin(this);
    for (epoch = fit.initialEpoch; epoch < fit.epochs && !stop; epoch++) {
      for (Callback c : fit.callbacks) c.onEpochBegin(this, epoch);
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
          optimizer.zeroGrad();
          Tensor output = model.forward(batch.x());
          Tensor l = loss.compute(output, batch.y(), sampleWeights(fit.classWeights, batch.y()));
          float lv = l.item();
          if (!Float.isFinite(lv))
            throw new ArithmeticException("fit: loss became " + lv + " at epoch " + (epoch + 1) + ", batch " + (b + 1)
                + "; lower the learning rate (now " + optimizer.learningRate() + ") or check the data for NaN/Inf");
          l.backward();
          optimizer.step();
          int n = batch.x().shape(0);
          lossSum += (double) lv * n;
          seen += n;
          Tensor detached = output.detach();
          for (Metric m : metrics) m.update(detached, batch.y());
          b++;
          if (fit.verbose && progress.drawsBatches()) progress.batch(b, loader.batches(), seen, running(lossSum / seen));
        }
        Map<String, Double> logs = running(lossSum / Math.max(1, seen));
        if (val != null) evaluate(val, fit.batchSize).forEach((k, v) -> logs.put("val_" + k, v));
        logs.put("lr", (double) optimizer.learningRate());
        history.add(logs);
        if (fit.verbose) progress.epochEnd(loader.batches(), seen, logs);
        for (Callback c : fit.callbacks) c.onEpochEnd(this, epoch, logs);
      }
    }
    for (Callback c : fit.callbacks) c.onTrainEnd(this);
    model.train(true);
    return history;
  }

  /** Loss and metrics over a dataset, in evaluation mode without a graph. */
  public Map<String, Double> evaluate(Dataset data, int batchSize) {
    if (data.size() == 0) throw new IllegalArgumentException("evaluate: the dataset is empty");
    boolean was = model.isTraining();
    model.eval();
    List<Metric> ms = new ArrayList<>();
    for (Metric m : metrics) ms.add(Metrics.byName(m.name()));
    double lossSum = 0;
    try (var g = GradMode.off(); Loader loader = new Loader(data, identity(data.size()), batchSize, 0)) {
      while (loader.hasNext()) {
        Dataset.Batch batch = loader.next();
        Tensor output = model.forward(batch.x());
        lossSum += (double) loss.compute(output, batch.y()).item() * batch.x().shape(0);
        for (Metric m : ms) m.update(output, batch.y());
      }
    } finally {
      model.train(was);
    }
    Map<String, Double> logs = new LinkedHashMap<>();
    logs.put("loss", lossSum / data.size());
    for (Metric m : ms) logs.put(m.name(), m.result());
    return logs;
  }

  /** Model outputs for inputs {@code [N, ...]}, computed in batches in evaluation mode. */
  public static Tensor predict(Module model, Tensor x, int batchSize) {
    if (x.rank() == 0 || x.shape(0) == 0) throw new IllegalArgumentException("predict: no samples in " + Shape.str(x.shape()));
    boolean was = model.isTraining();
    model.eval();
    List<Tensor> parts = new ArrayList<>();
    try (var g = GradMode.off()) {
      for (int s = 0; s < x.shape(0); s += batchSize)
        parts.add(model.forward(x.slice(0, s, Math.min(x.shape(0), s + batchSize)).contiguous()));
    } finally {
      model.train(was);
    }
    return parts.size() == 1 ? parts.get(0) : Tensor.concat(0, parts.toArray(new Tensor[0]));
  }

  private void ensureAttached(Dataset train) {
    if (!model.isBuilt()) {
      Tensor x = train.batch(new int[] {0}, new Rng(0)).x();
      try (var g = GradMode.off()) {
        model.forward(x);
      }
    }
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
