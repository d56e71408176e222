package org.neurite.vision;

import java.util.Arrays;
import java.util.List;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;
import org.neurite.train.Dataset;

/**
 * Labelled images held in memory, with an optional per-sample {@link Transform} applied as batches are
 * assembled. The transform draws only from the {@link Rng} that {@link #batch} is given, one sample
 * after another in batch order, so a seeded run gives the same batches on any loader thread. Immutable:
 * {@link #withTransform} shares the pixels. Not a lazy or streaming dataset: every image is decoded up
 * front (MNIST train: 188 MB of floats).
 *
 * <p>Example:
 * <pre>{@code
 * var mnist = Mnist.load(Path.of("data/mnist"));
 * var train = mnist.train().withTransform(Transforms.parse("rotate=10,crop=2").andThen(Transforms.normalizeMnist()));
 * Dataset.Batch b = train.batch(new int[] {0, 1, 2}, new Rng(42));   // x: [3, 1, 28, 28], y: [3]
 * }</pre>
 */
public final class ImageDataset implements Dataset {
  private final Tensor images;   // [N, C, H, W]
  private final Tensor labels;   // [N], class indices
  private final List<String> classes;
  private final Transform transform;   // null: samples as stored

  /**
   * A dataset of stored images with no transform.
   *
   * @param images  {@code [N, C, H, W]}
   * @param labels  {@code [N]}, whole numbers in {@code [0, classes.size())}
   * @param classes class names, by index
   */
  public ImageDataset(Tensor images, Tensor labels, List<String> classes) {
    this(images, labels, classes, null);
  }

  private ImageDataset(Tensor images, Tensor labels, List<String> classes, Transform transform) {
    if (images.rank() != 4)
      throw new IllegalArgumentException("ImageDataset: expected images [N, C, H, W], got " + Shape.str(images.shape()));
    if (labels.rank() != 1 || labels.shape(0) != images.shape(0))
      throw new IllegalArgumentException("ImageDataset: expected labels [" + images.shape(0) + "] for images "
          + Shape.str(images.shape()) + ", got " + Shape.str(labels.shape()));
    float[] y = labels.data();
    for (int i = 0; i < y.length; i++)
      if (y[i] != (int) y[i] || y[i] < 0 || y[i] >= classes.size())
        throw new IllegalArgumentException("ImageDataset: labels[" + i + "] = " + y[i] + ", expected a class index in [0, "
            + classes.size() + ")");
    // A contiguous slice (one part of split) is kept as it is: copying would double a large dataset.
    this.images = images.isContiguous() ? images : images.contiguous();
    this.labels = labels.contiguous();
    this.classes = List.copyOf(classes);
    this.transform = transform;
  }

  /**
   * The same images with {@code t} applied to each sample in {@link #batch}; {@code null} for none.
   *
   * @param t the per-sample transform, or {@code null} for none
   * @return a dataset sharing these images and labels
   */
  public ImageDataset withTransform(Transform t) {
    return new ImageDataset(images, labels, classes, t);
  }

  @Override
  public int size() {
    return images.shape(0);
  }

  /**
   * The stored images {@code [N, C, H, W]}, before any transform: contiguous, possibly a slice of a larger
   * array.
   *
   * @return the images, shared, not copied
   */
  public Tensor images() {
    return images;
  }

  /**
   * {@code [N]} class indices.
   *
   * @return the labels, shared, not copied
   */
  public Tensor labels() {
    return labels;
  }

  /** {@return the class names, by index} */
  public List<String> classes() {
    return classes;
  }

  /** {@return the per-sample transform {@link #batch} applies, or {@code null} for none} */
  public Transform transform() {
    return transform;
  }

  /** The first {@code k} samples and the rest, keeping the transform. */
  public ImageDataset[] split(int k) {
    int n = size();
    if (k <= 0 || k >= n) throw new IllegalArgumentException("ImageDataset: cannot split " + n + " samples at k=" + k);
    return new ImageDataset[] {
        new ImageDataset(images.slice(0, 0, k), labels.slice(0, 0, k), classes, transform),
        new ImageDataset(images.slice(0, k, n), labels.slice(0, k, n), classes, transform)};
  }

  /** x: {@code [B, C', H', W']} (the transform's output size), y: {@code [B]}. */
  @Override
  public Batch batch(int[] idx, Rng rng) {
    int[] s = images.shape();
    int row = s[1] * s[2] * s[3];
    float[] src = images.storage(), lab = labels.data(), y = new float[idx.length];
    int base = images.offset();
    for (int i = 0; i < idx.length; i++) y[i] = lab[idx[i]];
    if (transform == null || idx.length == 0) {
      float[] x = new float[idx.length * row];
      for (int i = 0; i < idx.length; i++) System.arraycopy(src, base + idx[i] * row, x, i * row, row);
      return new Batch(Tensor.of(x, idx.length, s[1], s[2], s[3]), Tensor.of(y, idx.length));
    }
    float[] x = null;
    int[] first = null;
    for (int i = 0; i < idx.length; i++) {
      Tensor sample = Tensor.of(Arrays.copyOfRange(src, base + idx[i] * row, base + (idx[i] + 1) * row), s[1], s[2], s[3]);
      Tensor out = transform.apply(sample, rng);
      if (first == null) {
        first = out.shape();
        if (first.length != 3)
          throw new IllegalStateException("ImageDataset: transform " + transform + " returned " + Shape.str(first)
              + ", expected an image [C, H, W]");
        x = new float[idx.length * out.size()];
      } else if (!Shape.same(first, out.shape())) {
        throw new IllegalStateException("ImageDataset: transform " + transform + " returned " + Shape.str(out.shape())
            + " for sample " + idx[i] + " but " + Shape.str(first) + " for sample " + idx[0] + "; a batch needs one size");
      }
      System.arraycopy(out.data(), 0, x, i * out.size(), out.size());
    }
    return new Batch(Tensor.of(x, idx.length, first[0], first[1], first[2]), Tensor.of(y, idx.length));
  }
}
