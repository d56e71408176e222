package org.neurite.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.neurite.io.Checkpoints;
import org.neurite.io.ModelFiles;
import org.neurite.nn.Seeds;
import org.neurite.nn.Sequential;
import org.neurite.optim.Adam;
import org.neurite.optim.Schedule;
import org.neurite.train.CosineDecay;
import org.neurite.train.CsvLogger;
import org.neurite.train.Fit;
import org.neurite.train.History;
import org.neurite.train.LearningRateScheduler;
import org.neurite.train.Losses;
import org.neurite.train.Metrics;
import org.neurite.train.ModelCheckpoint;
import org.neurite.vision.ImageDataset;
import org.neurite.vision.Transform;
import org.neurite.vision.Transforms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code neurite train image}: train an image classifier and save it with its curves and checkpoints. */
@Command(name = "train", description = "Train a model.", subcommands = {TrainCommand.Image.class, TrainCommand.Text.class, TrainTranslate.class})
final class TrainCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 2;
  }

  @Command(name = "image", description = "Train an image classifier (Adam, sparse categorical cross-entropy, accuracy).")
  static final class Image implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "mnist", description = "Training data: " + ImageData.HELP + ".")
    String data;

    @Option(names = "--model", defaultValue = "seed-cnn", description = "A zoo network: seed-cnn (default), lenet, vgg11, vgg16, "
        + "resnet18, resnet34, resnet20 (CIFAR) or mobilenetv2.")
    String model;

    @Option(names = "--epochs", defaultValue = "3", description = "Passes over the training data.")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "32", description = "Samples per training step.")
    int batchSize;

    @Option(names = "--lr", defaultValue = "2e-3", description = "Adam's peak learning rate.")
    float lr;

    @Option(names = "--lr-decay", description = "Multiply the learning rate by this after each epoch (1: constant) instead of "
        + "the default schedule: a linear warm-up over the first 5%% of steps, then a cosine decay to 0 at the last step.")
    Double lrDecay;

    @Option(names = "--label-smoothing", defaultValue = "0.1", description = "Spread this much of each target over all classes (0: off).")
    float labelSmoothing;

    @Option(names = "--augment", description = "Augmentation, e.g. rotate=10,crop=2 (see Transforms.parse).")
    String augment;

    @Option(names = "--size", defaultValue = "32x32", description = "HxW for image folders.")
    String size;

    @Option(names = "--channels", defaultValue = "3", description = "1 (grey) or 3 (RGB) for image folders.")
    int channels;

    @Option(names = "--out", required = true, description = "Output folder: model/, checkpoints/, history.csv, curves.png.")
    Path out;

    @Option(names = "--resume", description = "Continue from OUT/checkpoints/last.")
    boolean resume;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed: weights, shuffling, augmentation.")
    long seed;

    @picocli.CommandLine.Mixin
    Quiet quiet;

    @Override
    public Integer call() throws Exception {
      String[] hw = size.toLowerCase(Locale.ROOT).split("x");
      if (hw.length != 2) throw new IllegalArgumentException("--size " + size + ": expected HxW, e.g. 32x32");
      int height = Integer.parseInt(hw[0]), width = Integer.parseInt(hw[1]);
      ImageData d = ImageData.load(data, channels, height, width);
      History h = train(d, this, !quiet.on);
      System.out.printf(Locale.ROOT, "final: %s%nsaved model to %s, curves to %s%n", h.last(), out.resolve("model"),
          out.resolve("curves.png"));
      return 0;
    }
  }

  @Command(name = "text", description = "Train a text classifier (sentiment, topics, ...) with Adam and sparse categorical cross-entropy.")
  static final class Text implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "rt-polarity", description = "Training data: " + TextData.HELP + ".")
    String data;

    @Option(names = "--columns", defaultValue = "label,text", description = "Column order of TSV/CSV rows: label,text (default) or text,label.")
    String columns;

    @Option(names = "--model", defaultValue = "bilstm-attention", description = "lstm, bilstm-attention (default) or transformer.")
    String model;

    @Option(names = "--embeddings", description = "Word vectors (word2vec text/binary, or GloVe) to initialise the embedding table.")
    Path embeddings;

    @Option(names = "--freeze-embeddings", description = "Keep the pretrained embedding table fixed.")
    boolean freeze;

    @Option(names = "--epochs", defaultValue = "2", description = "Passes over the training data.")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "32", description = "Samples per training step.")
    int batchSize;

    @Option(names = "--lr", defaultValue = "1e-2", description = "Adam's learning rate.")
    float lr;

    @Option(names = "--lr-decay", defaultValue = "0.5", description = "Multiply the learning rate by this after each epoch.")
    double lrDecay;

    @Option(names = "--max-len", defaultValue = "60", description = "Tokens kept per text; longer texts are cut.")
    int maxLen;

    @Option(names = "--min-count", defaultValue = "2", description = "Drop words seen fewer times in training.")
    int minCount;

    @Option(names = "--max-vocab", defaultValue = "30000", description = "Vocabulary size cap, specials included.")
    int maxVocab;

    @Option(names = "--out", required = true, description = "Output folder: model/, history.csv, curves.png.")
    Path out;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed: weights, shuffling, augmentation.")
    long seed;

    @picocli.CommandLine.Mixin
    Quiet quiet;

    @Override
    public Integer call() throws Exception {
      var split = TextData.load(data, columns, seed);
      History h = trainText(split, this, !quiet.on);
      System.out.printf(Locale.ROOT, "final: %s%nsaved model to %s, curves to %s%n", h.last(), out.resolve("model"),
          out.resolve("curves.png"));
      return 0;
    }
  }

  /**
   * The training run behind {@code train text} and the demo's sentiment part; {@code o} holds the options, as
   * parsed (callers without a command line build it with {@code CommandLine.populateCommand}).
   */
  static History trainText(org.neurite.text.TextClassificationData.Split split, Text o, boolean verbose) throws Exception {
    var tokenizer = new org.neurite.text.Tokenizer();
    // Counted over at most 10,000 tokens of each text (any real review is shorter), so that one 100 MB row
    // costs what its start costs; the model reads only the first maxLen anyway.
    var vocab = org.neurite.text.Vocabulary.builder().minCount(o.minCount).maxSize(o.maxVocab)
        .build(split.train().tokens(tokenizer, Math.max(o.maxLen, 10_000)));
    org.neurite.tensor.Tensor init = null;
    if (o.embeddings != null) {
      var kv = org.neurite.text.word2vec.Word2VecFormat.read(Inputs.file("embeddings file", o.embeddings));
      var table = org.neurite.text.Embeddings.matrix(vocab, kv, o.seed);
      if (verbose) System.out.println(table);
      init = table.weights();
    }
    Seeds.set(o.seed);
    var clf = org.neurite.text.TextClassifier.create(o.model, vocab, split.train().labels(), o.maxLen, init);
    if (o.freeze) ((org.neurite.nn.Embedding) clf.model().layers().get(0)).frozen(true);
    if (verbose) {
      System.out.printf(Locale.ROOT, "%d training and %d test texts, %d classes %s, vocabulary %,d%n", split.train().size(),
          split.test().size(), clf.labels().size(), clf.labels(), vocab.size());
      System.out.println(clf.model().summary());
    }
    var trainSet = split.train().toDataset(tokenizer, vocab, o.maxLen);
    var testSet = split.test().withLabels(clf.labels()).toDataset(tokenizer, vocab, o.maxLen);
    clf.model().compile(new Adam(o.lr), Losses.sparseCategoricalCrossentropy(), Metrics.accuracy());
    History h = clf.model().fit(trainSet, Fit.epochs(o.epochs).batchSize(o.batchSize).seed(o.seed).validationData(testSet)
        .verbose(verbose).callbacks(new CsvLogger(o.out.resolve("history.csv")),
            new LearningRateScheduler(Schedule.exponential(o.lrDecay))));
    clf.save(o.out.resolve("model"));
    if (!h.epochs().isEmpty()) Plots.trainingCurves(h, o.out.resolve("curves.png"));
    return h;
  }

  /**
   * The training run behind {@code train image} and the demo; {@code o} holds the options, as parsed. With
   * {@code --resume}, {@link Fit#resume} continues from {@code OUT/checkpoints/last}.
   */
  static History train(ImageData d, Image o, boolean verbose) throws Exception {
    Transform normalize = Transforms.normalize(d.mean(), d.std());
    Transform train = o.augment == null ? normalize : Transforms.parse(o.augment).andThen(normalize);
    ImageDataset trainSet = d.splits().train().withTransform(train);
    ImageDataset testSet = d.splits().test().withTransform(normalize);
    int[] s = trainSet.images().shape();
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("classes", d.classes());
    meta.put("mean", d.mean());
    meta.put("std", d.std());
    meta.put("model", o.model);
    meta.put("seed", o.seed);
    Path checkpoints = o.out.resolve("checkpoints");
    if (o.resume) {
      Path last = checkpoints.resolve("last");
      ModelFiles.recover(last);   // a save killed between its two renames
      if (!Files.isDirectory(last)) throw new IllegalArgumentException("--resume: no checkpoint at " + last);
      Object saved = Checkpoints.info(last).get("seed");
      if (saved instanceof Number n && n.longValue() != o.seed)
        throw new IllegalArgumentException("--resume: the checkpoint was trained with --seed " + saved + ", not " + o.seed
            + "; pass --seed " + saved + " so the remaining epochs see the same batches");
    }
    Seeds.set(o.seed);
    Sequential model = org.neurite.vision.Zoo.byName(o.model, s[1], s[2], s[3], d.classes().size()).model();
    if (verbose) System.out.println(model.summary());
    model.compile(new Adam(o.lr), Losses.sparseCategoricalCrossentropy(false, o.labelSmoothing), Metrics.accuracy());
    Fit fit = Fit.epochs(o.epochs).batchSize(o.batchSize).seed(o.seed).warmup(true);
    if (o.resume) fit.resume(checkpoints, meta);   // weights, optimizer, next epoch, the schedule's and checkpoint's state
    History h = model.fit(trainSet, fit.validationData(testSet).verbose(verbose)
        .callbacks(new ModelCheckpoint(checkpoints, "val_accuracy", false, meta),
            new CsvLogger(o.out.resolve("history.csv")), schedule(o.lrDecay, o.epochs, o.lr)));
    if (o.resume && h.epochs().isEmpty())
      throw new IllegalArgumentException("--resume: the checkpoint already finished all " + o.epochs + " epochs; raise --epochs to train further");
    ModelFiles.save(model, o.out.resolve("model"), meta);
    if (!h.epochs().isEmpty()) Plots.trainingCurves(h, o.out.resolve("curves.png"));
    return h;
  }

  /**
   * {@code --lr-decay}'s per-epoch exponential decay, or without it the default per-step warm-up and cosine decay,
   * peaking at {@code lr} (also after {@code --resume}, whose optimizer comes back at its last, decayed rate).
   */
  static org.neurite.train.Callback schedule(Double lrDecay, int epochs, float lr) {
    return lrDecay == null ? new CosineDecay(epochs, 0.05, lr) : new LearningRateScheduler(Schedule.exponential(lrDecay));
  }

  static List<String> classesOf(com.fasterxml.jackson.databind.JsonNode meta) {
    List<String> c = new java.util.ArrayList<>();
    meta.path("classes").forEach(n -> c.add(n.asText()));
    return c;
  }
}
