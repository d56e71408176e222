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

  public Preprocessing {
    if (mean.length == 0 || mean.length != std.length)
      throw new IllegalArgumentException("preprocessing: mean has " + mean.length + " values and std " + std.length
          + ", expected one of each per channel");
    mean = mean.clone();
    std = std.clone();
  }

  @Override
  public float[] mean() {
    return mean.clone();
  }

  @Override
  public float[] std() {
    return std.clone();
  }

  /** The normalising transform. */
  public Transform transform() {
    return Transforms.normalize(mean, std);
  }

  /** The entries a saved model's metadata holds. */
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
