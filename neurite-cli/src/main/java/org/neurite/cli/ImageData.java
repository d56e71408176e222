package org.neurite.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.neurite.tensor.Tensor;
import org.neurite.vision.Cifar10;
import org.neurite.vision.ImageDataset;
import org.neurite.vision.ImageFolder;
import org.neurite.vision.Mnist;
import org.neurite.vision.Preprocessing;
import org.neurite.vision.Splits;

/**
 * The {@code --data} spelling of the image commands: {@code mnist} (the copy shipped in data/),
 * {@code mnist:PATH}, {@code fashion-mnist:PATH}, {@code cifar10:PATH}, or a folder of class
 * subfolders (with {@code train/} and {@code test/} inside, or one set that is split 90/10).
 * Also the per-channel mean and std the model normalises with (MNIST's and CIFAR-10's published
 * constants, or measured on a folder's training images).
 */
record ImageData(Splits splits, float[] mean, float[] std) {
  static final String HELP = "mnist | mnist:PATH | fashion-mnist:PATH | cifar10:PATH | DIR (class subfolders)";

  /** Floats per image that {@link #load} gives for {@code spec}: MNIST's and CIFAR-10's own, else channels x height x width. */
  static long sampleFloats(String spec, int channels, int height, int width) {
    int colon = spec.indexOf(':');
    return switch (colon > 0 ? spec.substring(0, colon) : spec) {
      case "mnist", "fashion-mnist" -> 28 * 28;
      case "cifar10" -> 3 * 32 * 32;
      default -> (long) channels * height * width;
    };
  }

  static ImageData load(String spec, int channels, int height, int width) throws IOException {
    int colon = spec.indexOf(':');
    String kind = colon > 0 ? spec.substring(0, colon) : spec;
    String path = colon > 0 ? spec.substring(colon + 1) : null;
    switch (kind) {
      case "mnist", "fashion-mnist" -> {
        Path dir = path != null ? Path.of(path) : Mnist.bundledDir();
        Splits s = kind.equals("mnist") ? Mnist.load(dir) : Mnist.loadFashion(dir);
        return new ImageData(s, Preprocessing.MNIST.mean(), Preprocessing.MNIST.std());
      }
      case "cifar10" -> {
        if (path == null) throw new IllegalArgumentException("--data cifar10 needs a path: cifar10:PATH");
        return new ImageData(Cifar10.load(Path.of(path)), Preprocessing.CIFAR10.mean(), Preprocessing.CIFAR10.std());
      }
      default -> {
        Path dir = Path.of(spec);
        if (!Files.exists(dir))
          throw new IllegalArgumentException("--data " + spec + ": no such file or folder (expected " + HELP + ")");
        Splits s;
        if (Files.isDirectory(dir.resolve("train")) && Files.isDirectory(dir.resolve("test"))) {
          s = new Splits(ImageFolder.load(dir.resolve("train"), channels, height, width),
              ImageFolder.load(dir.resolve("test"), channels, height, width));
        } else {
          ImageDataset all = ImageFolder.load(dir, channels, height, width);
          ImageDataset[] parts = shuffled(all).split((int) Math.round(all.size() * 0.9));
          s = new Splits(parts[0], parts[1]);
        }
        float[][] ms = meanStd(s.train().images());
        return new ImageData(s, ms[0], ms[1]);
      }
    }
  }

  /**
   * What {@code eval} reads: the test split where the data has one (MNIST, CIFAR-10, a folder with train/ and test/),
   * otherwise every image of the folder; the 90/10 split of {@link #load} is a training-time choice.
   */
  static ImageDataset testSet(String spec, int channels, int height, int width) throws IOException {
    Path dir = Path.of(spec);
    boolean named = List.of("mnist", "fashion-mnist", "cifar10").contains(spec.contains(":") ? spec.substring(0, spec.indexOf(':')) : spec);
    if (!named && Files.isDirectory(dir) && !(Files.isDirectory(dir.resolve("train")) && Files.isDirectory(dir.resolve("test"))))
      return ImageFolder.load(dir, channels, height, width);
    return load(spec, channels, height, width).splits().test();
  }

  List<String> classes() {
    return splits.train().classes();
  }

  // A folder lists classes one after another; a fixed shuffle makes the 90/10 split cover every class.
  // The images are permuted in place, a row at a time: a copy would double a dataset of hundreds of
  // megabytes (1,000 images at 3x224x224 are 600 MB). d was just loaded and is not used after this.
  static ImageDataset shuffled(ImageDataset d) {
    int n = d.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) order[i] = i;
    new org.neurite.tensor.Rng(12345).shuffle(order);
    Tensor images = d.images();
    float[] x = images.storage(), old = d.labels().toArray(), y = new float[n];
    int row = images.size() / n, base = images.offset();
    for (int i = 0; i < n; i++) y[i] = old[order[i]];
    // new row i = old row order[i]: follow each cycle of the permutation with one row held aside.
    boolean[] placed = new boolean[n];
    float[] held = new float[row];
    for (int start = 0; start < n; start++) {
      if (placed[start]) continue;
      System.arraycopy(x, base + start * row, held, 0, row);
      int j = start;
      while (order[j] != start) {
        System.arraycopy(x, base + order[j] * row, x, base + j * row, row);
        placed[j] = true;
        j = order[j];
      }
      System.arraycopy(held, 0, x, base + j * row, row);
      placed[j] = true;
    }
    return new ImageDataset(images, Tensor.of(y, n), d.classes());
  }

  private static float[][] meanStd(Tensor images) {
    int n = images.shape(0), c = images.shape(1), plane = images.shape(2) * images.shape(3);
    float[] d = images.storage(), mean = new float[c], std = new float[c];
    int base = images.offset();
    for (int ch = 0; ch < c; ch++) {
      double s = 0, s2 = 0;
      for (int i = 0; i < n; i++)
        for (int p = 0, o = base + (i * c + ch) * plane; p < plane; p++) {
          s += d[o + p];
          s2 += (double) d[o + p] * d[o + p];
        }
      double cnt = (double) n * plane, m = s / cnt;
      mean[ch] = (float) m;
      std[ch] = (float) Math.max(1e-6, Math.sqrt(Math.max(0, s2 / cnt - m * m)));
    }
    return new float[][] {mean, std};
  }
}
