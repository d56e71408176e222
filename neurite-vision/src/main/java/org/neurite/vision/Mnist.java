package org.neurite.vision;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.neurite.tensor.Tensor;

/**
 * MNIST and Fashion-MNIST from a folder holding their four IDX files under the canonical names
 * ({@code train-images-idx3-ubyte[.gz]}, {@code train-labels-idx1-ubyte[.gz]}, {@code t10k-...}),
 * gzip-compressed or not. Images are {@code [N, 1, 28, 28]} in [0, 1]. MNIST ships with the repository
 * in {@code data/mnist/} ({@link #bundledDir()}); nothing is downloaded here (see {@link Downloads}).
 *
 * <p>Example: {@code Splits mnist = Mnist.load(Mnist.bundledDir());  // 60,000 train, 10,000 test}
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class Mnist {
  /** MNIST's classes: the digits. */
  public static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
  /** Fashion-MNIST's classes, by label (zalandoresearch/fashion-mnist README). */
  public static final List<String> FASHION = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
      "Shirt", "Sneaker", "Bag", "Ankle boot");

  private Mnist() {}

  /**
   * MNIST's training (60,000) and test (10,000) sets from {@code dir}.
   *
   * @param dir the folder holding the four IDX files, gzipped or not
   * @return the training and test sets, images {@code [N, 1, 28, 28]} in [0, 1]
   * @throws IOException if a file cannot be read or is not in the expected format
   */
  public static Splits load(Path dir) throws IOException {
    return new Splits(load(dir, "train", DIGITS), load(dir, "t10k", DIGITS));
  }

  /**
   * Fashion-MNIST (same files and names as MNIST, other classes) from {@code dir}.
   *
   * @param dir the folder holding the four IDX files, gzipped or not
   * @return the training and test sets, images {@code [N, 1, 28, 28]} in [0, 1]
   * @throws IOException if a file cannot be read or is not in the expected format
   */
  public static Splits loadFashion(Path dir) throws IOException {
    return new Splits(load(dir, "train", FASHION), load(dir, "t10k", FASHION));
  }

  /**
   * One set: {@code prefix} is {@code "train"} or {@code "t10k"}.
   *
   * @param dir the folder holding the IDX files
   * @param prefix {@code "train"} or {@code "t10k"}
   * @param classes the class names, by label
   * @return the images {@code [N, 1, 28, 28]} in [0, 1] with their labels
   * @throws IOException if a file cannot be read or is not in the expected format
   */
  public static ImageDataset load(Path dir, String prefix, List<String> classes) throws IOException {
    Path imagesFile = find(dir, prefix + "-images-idx3-ubyte"), labelsFile = find(dir, prefix + "-labels-idx1-ubyte");
    Tensor images = Idx.readImages(imagesFile), labels = Idx.readLabels(labelsFile);
    if (images.shape(0) != labels.shape(0))
      throw new IOException(labelsFile + ": expected " + images.shape(0) + " labels to match " + imagesFile + ", found "
          + labels.shape(0));
    float[] y = labels.data();
    for (int i = 0; i < y.length; i++)
      if (y[i] >= classes.size())
        throw new IOException(labelsFile + ": expected labels 0.." + (classes.size() - 1) + ", found " + (int) y[i]
            + " at index " + i);
    return new ImageDataset(images, labels, classes);
  }

  private static Path find(Path dir, String name) throws IOException {
    for (String candidate : new String[] {name + ".gz", name}) {
      Path p = dir.resolve(candidate);
      if (Files.isRegularFile(p)) return p;
    }
    throw new IOException(dir + ": expected " + name + ".gz or " + name + ", found neither"
        + (Files.isDirectory(dir) ? "" : " (no such folder)") + "; " + Downloads.MNIST.hint());
  }

  /**
   * The repository's {@code data/mnist/}: under the system property {@code neurite.home} when set,
   * else the first {@code data/mnist} above the folder or jar this class was loaded from (so a build
   * inside the repository finds it), else above the working directory.
   *
   * @return the folder
   * @throws IOException if no {@code data/mnist} is found; the message says where it looked
   */
  public static Path bundledDir() throws IOException {
    String home = System.getProperty("neurite.home");
    if (home != null) return Path.of(home, "data", "mnist");
    Path start;
    try {
      start = Path.of(Mnist.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | RuntimeException e) {
      start = null;
    }
    for (Path from : new Path[] {start, Path.of("").toAbsolutePath()})
      for (Path p = from; p != null; p = p.getParent())
        if (Files.isDirectory(p.resolve("data/mnist"))) return p.resolve("data/mnist");
    throw new IOException("MNIST: expected data/mnist in the repository above " + start + " or the working directory, "
        + "found none; set -Dneurite.home=REPO or pass the folder of the MNIST files");
  }
}
