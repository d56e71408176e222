package org.neurite.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.neurite.kernels.Parallel;
import org.neurite.kernels.Simd;
import org.neurite.io.ModelFiles;
import org.neurite.nn.Sequential;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.train.History;
import org.neurite.vision.ImageDataset;
import org.neurite.vision.Mnist;
import org.neurite.vision.Transforms;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code neurite demo}: the main job on data shipped in the repository. Trains the seed's CNN on
 * MNIST (data/mnist), reports test accuracy, saves the model and its training curves, reloads the
 * saved model and classifies a few test images; then trains word vectors and prints neighbours, a
 * sentiment classifier, and fine-tunes the shipped pretrained CNN on a few labels of a new task.
 */
@Command(name = "demo", description = "Train the seed CNN on the bundled MNIST, save it, plot its curves, classify test images; train word vectors; train and use a sentiment model; fine-tune a pretrained CNN on a new task.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--threads", paramLabel = "N", description = "Kernel threads (default: all cores).")
  Integer threads;

  @Option(names = "--out", defaultValue = "neurite-demo", description = "Where to write the model and plots.")
  Path out;

  @Option(names = "--epochs", defaultValue = "2", description = "Training epochs (2 take about a minute on 2 cores).")
  int epochs;

  @Override
  public Integer call() throws Exception {
    if (threads != null) Parallel.setThreads(threads);
    PrintStream o = System.out;
    long t0 = System.nanoTime();
    o.printf(Locale.ROOT, "Neurite demo (%d threads, %s)%n%n", Parallel.threads(),
        Simd.ENABLED ? Simd.VECTOR_BITS + "-bit vectors" : "scalar kernels");

    Path mnist = Mnist.bundledDir();
    o.println("1. The seed CNN on MNIST (" + mnist + "): 60,000 training and 10,000 test digits");
    ImageData d = ImageData.load("mnist", 1, 28, 28);
    History h = TrainCommand.train(d, CommandLine.populateCommand(new TrainCommand.Image(), "--model", "seed-cnn", "--epochs",
        String.valueOf(epochs), "--batch-size", "64", "--lr", "1e-3", "--lr-decay", "1", "--label-smoothing", "0", "--out",
        out.toString(), "--seed", "1"), true);
    double acc = h.last().get("val_accuracy");
    o.printf(Locale.ROOT, "test accuracy after %d epoch%s: %.2f%%%n%n", epochs, epochs == 1 ? "" : "s", 100 * acc);

    o.println("2. The saved model, reloaded, classifies test images:");
    Sequential m = ModelFiles.load(out.resolve("model"));
    ImageDataset test = d.splits().test().withTransform(Transforms.normalize(d.mean(), d.std()));
    var batch = test.batch(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, new Rng(0));
    float[] probs = m.predict(batch.x()).data(), labels = batch.y().data();
    List<String> classes = d.classes();
    for (int i = 0; i < labels.length; i++)
      PredictCommand.print(String.format(Locale.ROOT, "  test image %d (a %s)", i, classes.get((int) labels[i])),
          java.util.Arrays.copyOfRange(probs, i * classes.size(), (i + 1) * classes.size()), classes, 2);

    o.println();
    o.println("3. Word vectors (the seed's Word2Vec listing) on a bundled public-domain corpus:");
    org.neurite.text.word2vec.Word2VecDemo.run(o);

    o.println();
    Path polarity = org.neurite.text.SentencePolarity.bundledDir();
    Path sentiment = out.resolve("sentiment");
    o.println("4. Sentiment: a BiLSTM with the seed's attention on the sentence-polarity reviews (" + polarity + ")");
    History hs = TrainCommand.trainText(org.neurite.text.SentencePolarity.fixedSplit(polarity, 1),
        CommandLine.populateCommand(new TrainCommand.Text(), "--model", "bilstm-attention", "--epochs", "2", "--batch-size", "32",
            "--lr", "2e-3", "--lr-decay", "0.5", "--max-len", "60", "--min-count", "1", "--max-vocab", "30000", "--out",
            sentiment.toString(), "--seed", "1"), true);
    double sentimentAcc = hs.last().get("val_accuracy");
    o.printf(Locale.ROOT, "held-out accuracy after 2 epochs: %.2f%%%n", 100 * sentimentAcc);
    var clf = org.neurite.text.TextClassifier.load(sentiment.resolve("model"));
    var examples = List.of("a gripping , beautifully acted film", "the plot is thin and the jokes fall flat",
        "a dull , lifeless mess", "");
    var predictions = clf.classify(examples);
    for (int i = 0; i < examples.size(); i++) ClassifyCommand.print("  \"" + examples.get(i) + "\"", predictions.get(i));
    Plots.attention(predictions.subList(0, 3), sentiment.resolve("attention.png"));

    o.println();
    Path root = mnist.getParent().getParent();
    Path pretrained = root.resolve("models/cifar10-a-seed-cnn"), few = root.resolve("data/cifar10-transfer");
    o.println("5. Transfer learning: the seed CNN pre-trained on five CIFAR-10 classes (" + pretrained + ") learns five others");
    o.println("   from 50 labelled images each (" + few + "), against the same network trained from scratch on them:");
    var tuned = CommandLine.populateCommand(new FinetuneCommand(), "--model", pretrained.toString(), "--data", few.toString(),
        "--train", "layers.7", "--lr", "1e-3", "--backbone-lr", "1e-3", "--epochs", "30", "--batch-size", "25", "--augment",
        "flip=h,crop=4", "--seed", "1", "--out", out.resolve("finetune").toString()).run(false);
    History scratch = TrainCommand.train(ImageData.load(few.toString(), 3, 32, 32), CommandLine.populateCommand(new TrainCommand.Image(),
        "--model", "seed-cnn", "--epochs", "30", "--batch-size", "25", "--lr", "1e-3", "--lr-decay", "1", "--label-smoothing", "0",
        "--augment", "flip=h,crop=4", "--out", out.resolve("scratch").toString(), "--seed", "1"), false);
    double scratchAcc = scratch.last().get("val_accuracy");
    o.printf(Locale.ROOT, "   test accuracy on 1,000 images: from scratch %.1f%%, fine-tuned %.1f%%%n", 100 * scratchAcc,
        100 * tuned.accuracy());

    o.printf(Locale.ROOT, "%nWrote %s (model: config.json + model.safetensors), %s, %s and %s/{best,last}; the sentiment model, "
        + "its curves and an attention heat map under %s; the fine-tuned model under %s.%n",
        out.resolve("model").toAbsolutePath(), out.resolve("curves.png").toAbsolutePath(),
        out.resolve("history.csv").toAbsolutePath(), out.resolve("checkpoints").toAbsolutePath(), sentiment.toAbsolutePath(),
        out.resolve("finetune/model").toAbsolutePath());
    o.printf(Locale.ROOT, "Demo finished in %.0f s.%n", (System.nanoTime() - t0) / 1e9);
    if (acc < 0.95 || sentimentAcc < 0.7 || tuned.accuracy() < scratchAcc + 0.05) {
      System.err.printf(Locale.ROOT, "neurite: demo failed: test accuracy %.2f%% (digits, want >= 95%%), %.2f%% (sentiment, want >= 70%%), "
          + "fine-tuned %.1f%% vs %.1f%% from scratch (want a gain of 5 points or more)%n", 100 * acc, 100 * sentimentAcc,
          100 * tuned.accuracy(), 100 * scratchAcc);
      return 1;
    }
    return 0;
  }
}
