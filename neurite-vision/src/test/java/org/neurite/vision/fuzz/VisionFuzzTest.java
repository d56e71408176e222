package org.neurite.vision.fuzz;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.testing.Fuzzer;
import org.neurite.vision.Cifar10;
import org.neurite.vision.Idx;
import org.neurite.vision.ImageFolder;
import org.neurite.vision.Images;

/**
 * Fuzz targets for neurite-vision's readers: MNIST IDX images and labels (plain and gzip), CIFAR-10
 * binary batches, image files (PNG, JPEG, BMP, GIF through ImageIO) and zipped image folders. Seeds
 * are cut from the real MNIST, Fashion-MNIST and CIFAR-10 files, in
 * {@code src/test/resources/org/neurite/vision/fuzz/TARGET/}.
 */
class VisionFuzzTest {
  @TempDir
  Path dir;

  @Test
  void idxImages() {
    Path f = Fuzzer.scratch("images-idx3-ubyte");
    Fuzzer.run("idx-images", Fuzzer.seeds(VisionFuzzTest.class, "/org/neurite/vision/fuzz/idx-images"), data -> {
      Files.write(f, data);
      return Idx.readImages(f);
    });
  }

  @Test
  void idxLabels() {
    Path f = Fuzzer.scratch("labels-idx1-ubyte");
    Fuzzer.run("idx-labels", Fuzzer.seeds(VisionFuzzTest.class, "/org/neurite/vision/fuzz/idx-labels"), data -> {
      Files.write(f, data);
      return Idx.readLabels(f);
    });
  }

  @Test
  void cifarBinary() {
    Path f = Fuzzer.scratch("data_batch_1.bin");
    Fuzzer.run("cifar-binary", Fuzzer.seeds(VisionFuzzTest.class, "/org/neurite/vision/fuzz/cifar-binary"), data -> {
      Files.write(f, data);
      return Cifar10.readBatch(f);
    });
  }

  @Test
  void images() {
    Path f = Fuzzer.scratch("image");
    int[] n = {0};
    Fuzzer.run("images", Fuzzer.seeds(VisionFuzzTest.class, "/org/neurite/vision/fuzz/images"), data -> {
      Files.write(f, data);
      return Images.read(f, ++n[0] % 2 == 0 ? 1 : 3, 8, 8);
    }, "IHDR", "IDAT", "PLTE", "tRNS", "IEND", "GIF89a", "BM", "\u00ff\u00d8");
  }

  @Test
  void imageFolderZip() {
    Path f = Fuzzer.scratch("folder.zip");
    Fuzzer.run("image-folder-zip", Fuzzer.seeds(VisionFuzzTest.class, "/org/neurite/vision/fuzz/image-folder-zip"), data -> {
      Files.write(f, data);
      return ImageFolder.load(f, 3, 8, 8);
    }, "PK", "test/", "../", ".jpg", "/");
  }
}
