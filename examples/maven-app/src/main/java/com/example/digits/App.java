package com.example.digits;

import java.nio.file.Path;
import java.util.Map;
import org.neurite.nn.Conv2D;
import org.neurite.nn.Dense;
import org.neurite.nn.Flatten;
import org.neurite.nn.MaxPool2D;
import org.neurite.nn.Sequential;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.train.Fit;
import org.neurite.vision.ImageDataset;
import org.neurite.vision.Mnist;
import org.neurite.vision.Transforms;

/**
 * Trains the seed's CNN on a slice of MNIST for one epoch, then classifies a test digit.
 * Argument: the folder of the MNIST files (default: Neurite's bundled data/mnist, found above
 * the working directory).
 */
public final class App {
  public static void main(String[] args) throws Exception {
    Path dir = args.length > 0 ? Path.of(args[0]) : Mnist.bundledDir();
    var mnist = Mnist.load(dir);
    var normalize = Transforms.normalizeMnist();
    ImageDataset train = mnist.train().split(12_000)[0].withTransform(normalize);   // a slice: seconds, not minutes
    ImageDataset test = mnist.test().withTransform(normalize);

    var model = Sequential.of(
        new Conv2D(32, 3).relu(), new MaxPool2D(2),
        new Conv2D(64, 3).relu(), new MaxPool2D(2),
        new Conv2D(128, 3).relu(), new MaxPool2D(2),
        new Flatten(), new Dense(512).relu(), new Dense(10).softmax())
        .input(1, 28, 28);
    model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
    model.fit(train, Fit.epochs(1).batchSize(64));

    Map<String, Double> scores = model.evaluate(test);
    System.out.printf("test accuracy: %.2f%%%n", 100 * scores.get("accuracy"));

    var digit = test.batch(new int[] {0}, new Rng(0));              // x [1, 1, 28, 28], y [1]
    Tensor probabilities = model.predict(digit.x());                  // [1, 10]
    int predicted = (int) probabilities.argmax(1, false).item();
    System.out.printf("test digit 0 is a %d; the model says %d (p = %.3f)%n",
        (int) digit.y().item(), predicted, probabilities.data()[predicted]);
    if (predicted != (int) digit.y().item()) System.exit(1);
  }
}
