package org.neurite.vision;

import java.util.List;
import org.neurite.nn.Conv2D;
import org.neurite.nn.Dense;
import org.neurite.nn.Flatten;
import org.neurite.nn.MaxPool2D;
import org.neurite.nn.Padding;
import org.neurite.nn.Sequential;

/**
 * Image classifiers by name: the seed's CNN and LeNet-5 (more come with the model zoo).
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class Models {
  /** The names {@link #byName} knows. */
  public static final List<String> NAMES = List.of("seed-cnn", "lenet");

  private Models() {}

  /**
   * The seed's CNN: Conv 32/64/128 3x3 + ReLU, each followed by 2x2 max pooling, then Dense 512 + ReLU
   * and a softmax classifier.
   *
   * @param channels input channels
   * @param height input height
   * @param width input width
   * @param classes output classes
   * @return the model, built for {@code [channels, height, width]}
   */
  public static Sequential seedCnn(int channels, int height, int width, int classes) {
    return Sequential.of(
        new Conv2D(32, 3).relu(), new MaxPool2D(2),
        new Conv2D(64, 3).relu(), new MaxPool2D(2),
        new Conv2D(128, 3).relu(), new MaxPool2D(2),
        new Flatten(), new Dense(512).relu(), new Dense(classes).softmax())
        .input(channels, height, width);
  }

  /**
   * LeNet-5 (LeCun et al., 1998) with ReLU and max pooling, as it is usually trained today.
   *
   * @param channels input channels
   * @param height input height
   * @param width input width
   * @param classes output classes
   * @return the model, built for {@code [channels, height, width]}
   */
  public static Sequential lenet(int channels, int height, int width, int classes) {
    return Sequential.of(
        new Conv2D(6, 5).padding(Padding.SAME).relu(), new MaxPool2D(2),
        new Conv2D(16, 5).relu(), new MaxPool2D(2),
        new Flatten(), new Dense(120).relu(), new Dense(84).relu(), new Dense(classes).softmax())
        .input(channels, height, width);
  }

  /**
   * The model of that name for inputs [channels, height, width].
   *
   * @param name one of {@link #NAMES}
   * @param channels input channels
   * @param height input height
   * @param width input width
   * @param classes output classes
   * @return the model, built for {@code [channels, height, width]}
   * @throws IllegalArgumentException if the name is unknown
   */
  public static Sequential byName(String name, int channels, int height, int width, int classes) {
    return switch (name) {
      case "seed-cnn" -> seedCnn(channels, height, width, classes);
      case "lenet" -> lenet(channels, height, width, classes);
      default -> throw new IllegalArgumentException("unknown model \"" + name + "\"; known: " + String.join(", ", NAMES));
    };
  }
}
