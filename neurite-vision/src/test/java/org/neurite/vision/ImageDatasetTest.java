package org.neurite.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.neurite.testing.Errors.assertMessage;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.train.Dataset;
import org.neurite.train.Loader;

/** Batches, per-sample transforms and their reproducibility through the loader thread. */
class ImageDatasetTest {
  private static final List<String> AB = List.of("a", "b");

  static ImageDataset fourImages() {
    return new ImageDataset(TransformsTest.ramp(4, 2, 3).reshape(4, 1, 2, 3), Tensor.of(new float[] {0, 1, 1, 0}, 4), AB);
  }

  @Test
  void batchGathersRowsAndLabels() {
    ImageDataset d = fourImages();
    Dataset.Batch b = d.batch(new int[] {2, 0}, new Rng(0));
    assertArrayEquals(new int[] {2, 1, 2, 3}, b.x().shape());
    assertArrayEquals(d.images().slice(0, 2, 3).contiguous().data(), b.x().slice(0, 0, 1).contiguous().data());
    assertArrayEquals(new float[] {1, 0}, b.y().data());
  }

  @Test
  void transformAppliesPerSampleFromTheGivenRng() {
    ImageDataset d = fourImages().withTransform(Transforms.compose(Transforms.hflip(0.5f), Transforms.randomCrop(2, 2, 1)));
    Dataset.Batch a = d.batch(new int[] {0, 1, 2, 3}, new Rng(9)), b = d.batch(new int[] {0, 1, 2, 3}, new Rng(9));
    assertArrayEquals(new int[] {4, 1, 2, 2}, a.x().shape());
    assertArrayEquals(a.x().data(), b.x().data());
    assertArrayEquals(new int[] {4, 1, 2, 3}, d.images().shape(), "the stored images are untouched");
  }

  @Test
  void loaderBatchesAreReproducible() {
    ImageDataset d = fourImages().withTransform(Transforms.parse("rotate=30,cutout=1"));
    assertArrayEquals(pass(d), pass(d));
  }

  private static float[] pass(Dataset d) {
    List<Float> all = new ArrayList<>();
    try (Loader loader = new Loader(d, new int[] {3, 1, 0, 2}, 3, 5)) {
      while (loader.hasNext())
        for (float v : loader.next().x().data()) all.add(v);
    }
    float[] out = new float[all.size()];
    for (int i = 0; i < out.length; i++) out[i] = all.get(i);
    return out;
  }

  @Test
  void splitAndErrors() {
    ImageDataset[] parts = fourImages().split(3);
    assertEquals(3, parts[0].size());
    assertArrayEquals(new float[] {0}, parts[1].labels().data());
    assertMessage(IllegalArgumentException.class,
        () -> new ImageDataset(Tensor.zeros(2, 1, 2, 2), Tensor.of(new float[] {0, 2}, 2), AB),
        "labels[1] = 2.0, expected a class index in [0, 2)");
    assertMessage(IllegalArgumentException.class, () -> new ImageDataset(Tensor.zeros(2, 2, 2), Tensor.zeros(2), AB),
        "expected images [N, C, H, W], got [2, 2, 2]");
    Transform ragged = (x, rng) -> rng.nextInt(2) == 0 ? x : Transforms.randomCrop(1, 1, 0).apply(x, rng);
    assertMessage(IllegalStateException.class,
        () -> fourImages().withTransform(ragged).batch(new int[] {0, 1, 2, 3, 0, 1, 2, 3}, new Rng(1)),
        "a batch needs one size");
  }
}
