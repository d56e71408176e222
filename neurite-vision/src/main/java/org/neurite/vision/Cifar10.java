package org.neurite.vision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.neurite.tensor.Tensor;

/**
 * CIFAR-10 from a folder holding either the binary batches of {@code cifar-10-binary.tar.gz}
 * ({@code data_batch_1.bin} .. {@code data_batch_5.bin} and {@code test_batch.bin}, directly or in
 * {@code cifar-10-batches-bin/}) or the JPEG zips {@code cifar10-train-jpeg.zip} and
 * {@code cifar10-test-jpeg.zip} ({@code train/<class>/NNNN.jpg}; JPEG quality 75, so pixels differ a
 * little from the binary release). Images are {@code [N, 3, 32, 32]} in [0, 1]. Nothing is downloaded
 * here (see {@link Downloads}).
 *
 * <p>Binary format (reference: cs.toronto.edu/~kriz/cifar.html): 10,000 records per file, each one
 * label byte (0-9) then 3072 pixel bytes, the red, green and blue 32x32 planes in turn: already
 * {@code [C, H, W]}.
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class Cifar10 {
  /** The classes by label; also the sorted folder names of the JPEG zips. */
  public static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
      "horse", "ship", "truck");
  private static final int PIXELS = 3 * 32 * 32, RECORD = 1 + PIXELS;

  private Cifar10() {}

  /**
   * The 50,000 training and 10,000 test images in {@code dir}, binary batches preferred over JPEG zips.
   *
   * @param dir the folder holding the binary batches or the JPEG zips
   * @return the training and test sets, images {@code [N, 3, 32, 32]} in [0, 1]
   * @throws IOException if a file cannot be read or is not in the expected format
   */
  public static Splits load(Path dir) throws IOException {
    Path bin = Files.isRegularFile(dir.resolve("data_batch_1.bin")) ? dir : dir.resolve("cifar-10-batches-bin");
    if (Files.isRegularFile(bin.resolve("data_batch_1.bin"))) {
      List<Path> train = new ArrayList<>();
      for (int i = 1; i <= 5; i++) train.add(bin.resolve("data_batch_" + i + ".bin"));
      return new Splits(readBatches(train), readBatches(List.of(bin.resolve("test_batch.bin"))));
    }
    if (Files.isRegularFile(dir.resolve("cifar10-train-jpeg.zip")))
      return new Splits(jpegZip(dir.resolve("cifar10-train-jpeg.zip")), jpegZip(dir.resolve("cifar10-test-jpeg.zip")));
    throw new IOException(dir + ": expected CIFAR-10 binary batches (data_batch_1.bin .. data_batch_5.bin, test_batch.bin, "
        + "here or in cifar-10-batches-bin/) or cifar10-train-jpeg.zip and cifar10-test-jpeg.zip, found neither; "
        + Downloads.CIFAR10.hint());
  }

  /**
   * One binary batch file (any number of records).
   *
   * @param file a {@code data_batch_*.bin} or {@code test_batch.bin} file
   * @return its images {@code [N, 3, 32, 32]} in [0, 1] with their labels
   * @throws IOException if a file cannot be read or is not in the expected format
   */
  public static ImageDataset readBatch(Path file) throws IOException {
    return readBatches(List.of(file));
  }

  private static ImageDataset readBatches(List<Path> files) throws IOException {
    List<byte[]> parts = new ArrayList<>();
    int n = 0;
    for (Path f : files) {
      if (!Files.isRegularFile(f)) throw new IOException(f + ": expected a CIFAR-10 binary batch, found no such file");
      byte[] b = Files.readAllBytes(f);
      if (b.length == 0 || b.length % RECORD != 0)
        throw new IOException(f + ": expected a whole number of " + RECORD + "-byte records (1 label + " + PIXELS
            + " pixels), found " + b.length + " bytes (truncated or not a CIFAR-10 batch)");
      parts.add(b);
      n += b.length / RECORD;
    }
    float[] x = new float[n * PIXELS], y = new float[n];
    int i = 0;
    for (int p = 0; p < parts.size(); p++) {
      byte[] b = parts.get(p);
      for (int r = 0; r < b.length / RECORD; r++, i++) {
        int label = b[r * RECORD] & 0xff;
        if (label >= CLASSES.size())
          throw new IOException(files.get(p) + ": expected labels 0..9, found " + label + " in record " + r);
        y[i] = label;
        for (int k = 0; k < PIXELS; k++) x[i * PIXELS + k] = (b[r * RECORD + 1 + k] & 0xff) / 255f;
      }
    }
    return new ImageDataset(Tensor.of(x, n, 3, 32, 32), Tensor.of(y, n), CLASSES);
  }

  private static ImageDataset jpegZip(Path zip) throws IOException {
    ImageDataset d = ImageFolder.load(zip, 3, 32, 32);
    if (!d.classes().equals(CLASSES))
      throw new IOException(zip + ": expected class folders " + CLASSES + ", found " + org.neurite.io.Messages.clip(d.classes().toString(), 300));
    return d;
  }
}
