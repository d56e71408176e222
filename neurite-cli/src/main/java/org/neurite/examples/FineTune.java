package org.neurite.examples;

import java.nio.file.Path;
import java.util.Locale;
import org.neurite.io.ModelFiles;
import org.neurite.nn.Seeds;
import org.neurite.nn.Sequential;
import org.neurite.optim.Adam;
import org.neurite.train.Fit;
import org.neurite.train.Losses;
import org.neurite.train.Metrics;
import org.neurite.vision.ImageDataset;
import org.neurite.vision.ImageFolder;
import org.neurite.vision.Models;
import org.neurite.vision.Transform;
import org.neurite.vision.Transforms;

/**
 * Transfer learning, the seed's "pre-train on a large image set, fine-tune on the task": the seed CNN
 * pre-trained by Neurite on five CIFAR-10 classes (models/cifar10-a-seed-cnn: airplane, automobile,
 * bird, cat, deer; 25,000 images) learns five other classes (dog, frog, horse, ship, truck) from 50
 * labelled images each, against the same network trained from scratch on the same 250 images.
 *
 * <p>Run from the repository root: {@code java --add-modules jdk.incubator.vector -cp
 * neurite-cli/target/neurite.jar org.neurite.examples.FineTune}
 *
 * <p>Not thread-safe: a program to run from its {@code main}, once at a time.
 */
public final class FineTune {
  private FineTune() {}

  /**
   * Runs the example and prints what it shows.
   *
   * @param args ignored
   * @throws Exception if the data or the pretrained model cannot be read
   */
  public static void main(String[] args) throws Exception {
    Path pretrained = Path.of("models/cifar10-a-seed-cnn"), data = Path.of("data/cifar10-transfer");
    ImageDataset train = ImageFolder.load(data.resolve("train"), 3, 32, 32), test = ImageFolder.load(data.resolve("test"), 3, 32, 32);
    var meta = ModelFiles.metadata(pretrained);
    Transform normalize = Transforms.normalize(floats(meta.path("mean")), floats(meta.path("std")));
    Transform augment = Transforms.parse("flip=h,crop=4").andThen(normalize);

    // Fine-tuned: the pretrained convolutions, frozen, with a new classifier for the five new classes.
    Seeds.set(1);
    Sequential tuned = ModelFiles.load(pretrained).withNewHead(5);
    tuned.freeze();
    tuned.unfreeze("layers.7", "layers.8");   // the two Dense layers train
    double fineTuned = fit(tuned, train, test, augment, normalize);

    // From scratch: the same network, randomly initialised, on the same 250 images.
    Seeds.set(1);
    double scratch = fit(Models.seedCnn(3, 32, 32, 5), train, test, augment, normalize);

    System.out.printf(Locale.ROOT, "%d training images, %d test images (%s)%n", train.size(), test.size(), train.classes());
    System.out.printf(Locale.ROOT, "from scratch: %.1f%% accuracy%nfine-tuned:   %.1f%% accuracy%n", 100 * scratch, 100 * fineTuned);
  }

  private static double fit(Sequential model, ImageDataset train, ImageDataset test, Transform augment, Transform normalize) {
    model.compile(new Adam(1e-3f), Losses.sparseCategoricalCrossentropy(), Metrics.accuracy());
    model.fit(train.withTransform(augment), Fit.epochs(30).batchSize(25).seed(1).verbose(false));
    return model.evaluate(test.withTransform(normalize)).get("accuracy");
  }

  private static float[] floats(com.fasterxml.jackson.databind.JsonNode a) {
    float[] v = new float[a.size()];
    for (int i = 0; i < v.length; i++) v[i] = (float) a.get(i).asDouble();
    return v;
  }
}
