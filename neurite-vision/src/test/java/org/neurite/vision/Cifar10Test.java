package org.neurite.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.neurite.testing.Errors.assertMessage;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CIFAR-10 binary batches and JPEG zips, generated in a temporary folder (the real files are not read here). */
class Cifar10Test {
  @TempDir Path dir;

  /** n records; record r has label r % 10 and pixel k = (r + k) % 256. */
  static byte[] batch(int n) {
    byte[] b = new byte[n * 3073];
    for (int r = 0; r < n; r++) {
      b[r * 3073] = (byte) (r % 10);
      for (int k = 0; k < 3072; k++) b[r * 3073 + 1 + k] = (byte) (r + k);
    }
    return b;
  }

  @Test
  void binaryBatchIsChannelsFirst() throws IOException {
    ImageDataset d = Cifar10.readBatch(Files.write(dir.resolve("data_batch_1.bin"), batch(3)));
    assertArrayEquals(new int[] {3, 3, 32, 32}, d.images().shape());
    assertArrayEquals(new float[] {0, 1, 2}, d.labels().data());
    // record 2, green plane (k = 1024 + 32 i + j), row 1, column 5
    assertEquals(((2 + 1024 + 32 + 5) % 256) / 255f, d.images().get(2, 1, 1, 5));
  }

  @Test
  void loadsAllBatches() throws IOException {
    Path bin = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
    for (int i = 1; i <= 5; i++) Files.write(bin.resolve("data_batch_" + i + ".bin"), batch(2));
    Files.write(bin.resolve("test_batch.bin"), batch(4));
    Splits s = Cifar10.load(dir);
    assertEquals(10, s.train().size());
    assertEquals(4, s.test().size());
    assertEquals(Cifar10.CLASSES, s.train().classes());
  }

  @Test
  void jpegZips() throws IOException {
    for (String split : new String[] {"train", "test"})
      try (OutputStream f = Files.newOutputStream(dir.resolve("cifar10-" + split + "-jpeg.zip"));
           ZipOutputStream z = new ZipOutputStream(f)) {
        for (String c : Cifar10.CLASSES) {
          z.putNextEntry(new ZipEntry(split + "/" + c + "/0000.jpg"));
          z.write(ImageFolderTest.encode(new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB), "jpg"));
          z.closeEntry();
        }
      }
    Splits s = Cifar10.load(dir);
    assertArrayEquals(new int[] {10, 3, 32, 32}, s.test().images().shape());
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, s.train().labels().data());
  }

  @Test
  void errors() throws IOException {
    Path cut = Files.write(dir.resolve("cut.bin"), Arrays.copyOf(batch(2), 3073 + 100));
    assertMessage(IOException.class, () -> Cifar10.readBatch(cut), cut.toString(),
        "expected a whole number of 3073-byte records", "found 3173 bytes");
    byte[] bad = batch(2);
    bad[3073] = 12;
    Path badLabel = Files.write(dir.resolve("bad.bin"), bad);
    assertMessage(IOException.class, () -> Cifar10.readBatch(badLabel), "expected labels 0..9, found 12 in record 1");
    assertMessage(IOException.class, () -> Cifar10.load(dir), "expected CIFAR-10 binary batches",
        "download CIFAR-10 from https://www.cs.toronto.edu/~kriz/ and pass --data PATH");
  }
}
