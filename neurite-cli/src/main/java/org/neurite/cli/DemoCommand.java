package org.neurite.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.neurite.kernels.Parallel;
import org.neurite.io.ModelFiles;
import org.neurite.nn.Sequential;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.train.History;
import org.neurite.vision.ImageDataset;
import org.neurite.vision.Mnist;
import org.neurite.vision.Transforms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code neurite demo}: the main job on data shipped in the repository. Trains the seed's CNN on
 * MNIST (data/mnist), reports test accuracy, saves the model and its training curves, reloads the
 * saved model and classifies a few test images; then trains word vectors and prints neighbours.
 */
@Command(name = "demo", description = "Train the seed CNN on the bundled MNIST, save it, plot its curves, classify test images; train word vectors.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--threads", paramLabel = "N", description = "Kernel threads (default: all cores).")
  Integer threads;

  @Option(names = "--out", defaultValue = "neurite-demo", description = "Where to write the model and plots (default ./neurite-demo).")
  Path out;

  @Option(names = "--epochs", defaultValue = "2", description = "Training epochs (default 2, about a minute on 2 cores).")
  int epochs;

  @Override
  public Integer call() throws Exception {
    if (threads != null) Parallel.setThreads(threads);
    PrintStream o = System.out;
    long t0 = System.nanoTime();
    o.printf(Locale.ROOT, "Neurite demo (%d threads, %d-bit vectors)%n%n", Parallel.threads(),
        jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize());

    Path mnist = Mnist.bundledDir();
    o.println("1. The seed CNN on MNIST (" + mnist + "): 60,000 training and 10,000 test digits");
    ImageData d = ImageData.load("mnist", 1, 28, 28);
    History h = TrainCommand.train(d, "seed-cnn", epochs, 64, 1e-3f, 1, null, out, false, 1, true);
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

    o.printf(Locale.ROOT, "%nWrote %s (model: config.json + model.safetensors), %s, %s and %s/{best,last}.%n",
        out.resolve("model").toAbsolutePath(), out.resolve("curves.png").toAbsolutePath(),
        out.resolve("history.csv").toAbsolutePath(), out.resolve("checkpoints").toAbsolutePath());
    o.printf(Locale.ROOT, "Demo finished in %.0f s.%n", (System.nanoTime() - t0) / 1e9);
    if (acc < 0.95) {
      System.err.printf(Locale.ROOT, "neurite: demo failed: test accuracy %.2f%% is below 95%%%n", 100 * acc);
      return 1;
    }
    return 0;
  }
}
