package org.neurite.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.neurite.testing.Errors.assertMessage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads the MNIST shipped in the repository's data/mnist/; counts from its PROVENANCE.txt. */
class MnistTest {
  @Test
  void shippedTestSetMatchesProvenance() throws IOException {
    Path dir = Mnist.bundledDir();
    assertTrue(Files.isRegularFile(dir.resolve("PROVENANCE.txt")), "the licence and provenance ship beside the data");
    ImageDataset test = Mnist.load(dir, "t10k", Mnist.DIGITS);
    assertEquals(10_000, test.size());
    assertArrayEquals(new int[] {10_000, 1, 28, 28}, test.images().shape());
    assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, histogram(test));
    float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
    for (float v : test.images().data()) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertEquals(0f, min);
    assertEquals(1f, max);
  }

  @Test
  void shippedTrainSetMatchesProvenance() throws IOException {
    Splits mnist = Mnist.load(Mnist.bundledDir());
    assertEquals(60_000, mnist.train().size());
    assertArrayEquals(new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, histogram(mnist.train()));
    assertEquals(Mnist.DIGITS, mnist.test().classes());
  }

  @Test
  void missingFilesAndMismatchedCounts(@TempDir Path dir) throws IOException {
    assertMessage(IOException.class, () -> Mnist.load(dir), dir.toString(),
        "expected train-images-idx3-ubyte.gz or train-images-idx3-ubyte, found neither", "--data PATH");
    Files.write(dir.resolve("t10k-images-idx3-ubyte"), IdxTest.idx(2051, new int[] {2, 1, 1}, new byte[2]));
    Files.write(dir.resolve("t10k-labels-idx1-ubyte"), IdxTest.idx(2049, new int[] {3}, new byte[3]));
    assertMessage(IOException.class, () -> Mnist.load(dir, "t10k", Mnist.DIGITS), "expected 2 labels to match", "found 3");
    Files.write(dir.resolve("t10k-labels-idx1-ubyte"), IdxTest.idx(2049, new int[] {2}, new byte[] {1, 10}));
    assertMessage(IOException.class, () -> Mnist.load(dir, "t10k", Mnist.DIGITS), "expected labels 0..9, found 10 at index 1");
  }

  static int[] histogram(ImageDataset d) {
    int[] h = new int[d.classes().size()];
    for (float y : d.labels().data()) h[(int) y]++;
    return h;
  }
}
