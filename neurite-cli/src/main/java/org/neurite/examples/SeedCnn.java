package org.neurite.examples;

import org.neurite.nn.Conv2D;
import org.neurite.nn.Dense;
import org.neurite.nn.Flatten;
import org.neurite.nn.MaxPool2D;
import org.neurite.nn.Sequential;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.train.Fit;

/**
 * The seed's first listing (a Keras CNN), line for line in Neurite. Images are channels-first
 * ({@code [3, 224, 224]}, PyTorch's layout) where Keras writes {@code (224, 224, 3)}.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp neurite-cli/target/neurite.jar org.neurite.examples.SeedCnn}
 *
 * <p>Not thread-safe: a program to run from its {@code main}, once at a time.
 */
public final class SeedCnn {
  private SeedCnn() {}

  /**
   * Runs the example and prints what it shows.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    // input image data
    int[] inputShape = {3, 224, 224};
    Rng rng = new Rng(0);
    Tensor inputData = Tensor.randn(rng, 8, 3, 224, 224);
    Tensor labels = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 8);

    // build the convolutional network
    var model = Sequential.of(
        new Conv2D(32, 3).relu(), new MaxPool2D(2),
        new Conv2D(64, 3).relu(), new MaxPool2D(2),
        new Conv2D(128, 3).relu(), new MaxPool2D(2),
        new Flatten(), new Dense(512).relu(), new Dense(10).softmax())
        .input(inputShape);

    // train it
    model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
    model.fit(inputData, labels, Fit.epochs(10));
  }
}
