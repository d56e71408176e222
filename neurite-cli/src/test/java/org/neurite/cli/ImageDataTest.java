package org.neurite.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.vision.ImageDataset;

/** The folder shuffle permutes the images in place and gives what a copying gather gives. */
class ImageDataTest {
  @Test
  void inPlaceShuffleEqualsTheGatheredCopy() {
    int n = 37;
    Tensor images = Tensor.randn(new Rng(3), n, 2, 3, 4);
    float[] labels = new float[n];
    for (int i = 0; i < n; i++) labels[i] = i % 5;
    List<String> classes = List.of("a", "b", "c", "d", "e");
    int[] order = new int[n];
    for (int i = 0; i < n; i++) order[i] = i;
    new Rng(12345).shuffle(order);
    var expected = new ImageDataset(Tensor.of(images.toArray(), images.shape()), Tensor.of(labels.clone(), n), classes)
        .batch(order, null);
    ImageDataset got = ImageData.shuffled(new ImageDataset(images, Tensor.of(labels, n), classes));
    assertArrayEquals(expected.x().toArray(), got.images().toArray());
    assertArrayEquals(expected.y().toArray(), got.labels().toArray());
    ImageDataset[] parts = got.split(30);
    int[] all = new int[n - 30];
    for (int i = 0; i < all.length; i++) all[i] = i;
    assertArrayEquals(expected.x().slice(0, 30, n).toArray(), parts[1].batch(all, null).x().toArray(),
        "a split's second part reads its own rows of the shared array");
  }
}
