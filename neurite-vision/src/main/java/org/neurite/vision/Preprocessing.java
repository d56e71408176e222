package org.neurite.vision;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an image goes through before a network sees it: per-channel mean and standard deviation for
 * {@link Transforms#normalize}. A pretrained network only works on inputs prepared as its training
 * data was, so models carry this with them (in their saved metadata as "mean" and "std").
 *
 * <p>Immutable: the constructor and the accessors copy the arrays.
 *
 * @param name a short name saved with the model, such as {@code "imagenet"}
 * @param mean the per-channel mean
 * @param std the per-channel standard deviation
 */
public record Preprocessing(String name, float[] mean, float[] std) {
  /** ImageNet's statistics, as torchvision's pretrained models expect. */
  public static final Preprocessing IMAGENET = new Preprocessing("imagenet", new float[] {0.485f, 0.456f, 0.406f},
      new float[] {0.229f, 0.224f, 0.225f});
  /** CIFAR-10's training-set statistics. */
  public static final Preprocessing CIFAR10 = new Preprocessing("cifar10", new float[] {0.4914f, 0.4822f, 0.4465f},
      new float[] {0.2470f, 0.2435f, 0.2616f});
  /** MNIST's training-set statistics. */
  public static final Preprocessing MNIST = new Preprocessing("mnist", new float[] {0.1307f}, new float[] {0.3081f});

  /**
   * Checks the arrays and copies them.
   *
   * @param name a short name saved with the model
   * @param mean the per-channel mean, copied
   * @param std the per-channel standard deviation, copied
   * @throws IllegalArgumentException if {@code mean} is empty or its length differs from {@code std}'s
   */
  public Preprocessing {
    if (mean.length == 0 || mean.length != std.length)
      throw new IllegalArgumentException("preprocessing: mean has " + mean.length + " values and std " + std.length
          + ", expected one of each per channel");
    mean = mean.clone();
    std = std.clone();
  }

  /** {@return a copy of the per-channel mean} */
  @Override
  public float[] mean() {
    return mean.clone();
  }

  /** {@return a copy of the per-channel standard deviation} */
  @Override
  public float[] std() {
    return std.clone();
  }

  /**
   * The normalising transform.
   *
   * @return {@link Transforms#normalize} with this mean and standard deviation
   */
  public Transform transform() {
    return Transforms.normalize(mean, std);
  }

  /**
   * The entries a saved model's metadata holds.
   *
   * @return "preprocessing" (the name), "mean" and "std", in that order
   */
  public Map<String, Object> metadata() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("preprocessing", name);
    m.put("mean", mean.clone());
    m.put("std", std.clone());
    return m;
  }

  @Override
  public String toString() {
    return name + "(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")";
  }
}
