package org.neurite.vision;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.neurite.io.Heap;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * One image file to a float {@code [C, H, W]} tensor in [0, 1], and resizing. Decoding is
 * {@code javax.imageio} (PNG, JPEG, BMP, GIF); this class only turns its pixels into planes. Not a
 * codec and not an image library: no writing, no colour management beyond what is said below.
 *
 * <p>Channels: 3 gives R, G, B; 1 gives luma with PIL's integer weights (299, 587, 114 per mille, as
 * {@code Image.convert("L")}), so grey files read back their stored values. Alpha is dropped, as PIL's
 * {@code convert("RGB")}.
 *
 * <p>Resizing is Pillow's {@code BILINEAR} filter (the default of torchvision's {@code Resize} on PIL
 * images): a triangle filter, which is plain bilinear interpolation with half-pixel centres when
 * enlarging and widens to cover every source pixel when shrinking, so downscaling averages instead
 * of aliasing. Unlike Pillow the result is not rounded to 8 bits.
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class Images {
  private Images() {}

  /**
   * The image in {@code file} as {@code [channels, height, width]}, resized when its size differs.
   *
   * @param file a PNG, JPEG or BMP file
   * @param channels 1 (grey) or 3 (RGB)
   * @param height the height to return
   * @param width the width to return
   * @return the pixels in [0, 1]
   * @throws IOException if the file cannot be read or decoded
   */
  public static Tensor read(Path file, int channels, int height, int width) throws IOException {
    byte[] bytes = org.neurite.io.BoundedFiles.readAllBytes(file, MAX_FILE_BYTES, "image");
    return Tensor.of(decode(bytes, file.toString(), channels, height, width), channels, height, width);
  }

  /** The largest image file read (64 MiB): a 24 Mpx photo is some 8 MB as JPEG, 70 MB only as raw BMP. */
  static final int MAX_FILE_BYTES = 64 << 20;

  /**
  /**
   * {@code x: [C, H, W]} resized to {@code [C, height, width]}.
   *
   * @param x the image {@code [C, H, W]}
   * @param height the new height
   * @param width the new width
   * @return the resized image
   */
  public static Tensor resize(Tensor x, int height, int width) {
    if (x.rank() != 3) throw new IllegalArgumentException("resize: expected an image [C, H, W], got " + Shape.str(x.shape()));
    checkSize("resize", height, width);
    int c = x.shape(0), h = x.shape(1), w = x.shape(2);
    return Tensor.of(resize(x.data(), c, h, w, height, width), c, height, width);
  }

  /** Decodes {@code bytes} (named {@code name} in errors) to {@code [channels, height, width]} planes. */
  static float[] decode(byte[] bytes, String name, int channels, int height, int width) throws IOException {
    if (channels != 1 && channels != 3)
      throw new IllegalArgumentException("images: channels=" + channels + ", expected 1 (grey) or 3 (RGB)");
    checkSize("images", height, width);
    BufferedImage img = read(bytes, name, channels);
    float[] x = planes(img, channels);
    return resize(x, channels, img.getHeight(), img.getWidth(), height, width);
  }

  /** More pixels than this is refused before decoding: their planes would not fit a Java array. */
  static final long MAX_PIXELS = 1L << 28;
  /**
   * A file may declare more pixels than it has bytes (compression), but not without bound: up to
   * 4096x4096 always, and beyond that at most 2048 pixels a byte (real photos and scans stay far
   * below: a 24 Mpx JPEG is some 8 MB, 3 pixels a byte). Found by fuzzing: a 1 KB JPEG declaring
   * 13600x12590 pixels took 10 s and 700 MB to decode.
   */
  static final long MIN_BOMB_PIXELS = 1L << 24, PIXELS_PER_BYTE = 2048;

  /**
   * Decodes with the first ImageIO reader that takes the bytes, after checking the size its header
   * declares (width x height) against {@link #MAX_PIXELS} and the heap, so a small file that declares
   * a huge image fails with a message instead of an {@link OutOfMemoryError}.
   */
  private static BufferedImage read(byte[] bytes, String name, int channels) throws IOException {
    name = org.neurite.io.Messages.clip(name, 300);
    String expected = name + ": expected a PNG, JPEG or BMP image, found ";
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) throw new IOException(expected + bytes.length + " bytes in no format ImageIO reads");
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        long w = reader.getWidth(0), h = reader.getHeight(0);
        if (w < 1 || h < 1 || w * h > MAX_PIXELS)
          throw new IOException(name + ": the image declares " + w + "x" + h + " pixels; at most " + MAX_PIXELS
              + " pixels (and at least 1x1) are read");
        long data = imageDataBytes(bytes);
        if (w * h > Math.max(MIN_BOMB_PIXELS, PIXELS_PER_BYTE * data))
          throw new IOException(name + ": the image declares " + w + "x" + h + " pixels in " + data + " bytes of image data"
              + (data < bytes.length ? " (of a " + bytes.length + "-byte file)" : "") + ", more than " + PIXELS_PER_BYTE
              + " pixels a byte (a decompression bomb, or a corrupt header)");
        // the decoded raster (up to 4 bytes a pixel, ARGB ints) plus the float planes
        Heap.require("decode " + name + " (" + w + "x" + h + ")", w * h * (8 + 4L * channels));
        BufferedImage img = reader.read(0);
        if (img == null) throw new IOException(expected + "no image in the " + reader.getFormatName() + " data");
        return img;
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(name + ": ")) throw e;
      throw new IOException(expected + "undecodable data (" + org.neurite.io.Messages.clip(e.getMessage(), 200) + ")", e);
    } catch (RuntimeException e) {
      if (e instanceof Heap.TooLargeException) throw e;
      throw new IOException(expected + "undecodable data (" + org.neurite.io.Messages.clip(e.toString(), 200) + ")", e);
    }
  }

  /**
   * The bytes that hold pixels: a PNG's IDAT chunks, a JPEG less its APPn and comment segments, any
   * other file whole. A bomb can pad itself with chunks no decoder reads to pass a per-byte check on
   * the file's length; counting only pixel data makes the check independent of the file's layout.
   */
  static long imageDataBytes(byte[] b) {
    if (b.length > 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
      long idat = 0;
      for (long at = 8; at + 8 <= b.length; ) {
        long len = ((b[(int) at] & 0xffL) << 24) | ((b[(int) at + 1] & 0xff) << 16) | ((b[(int) at + 2] & 0xff) << 8) | (b[(int) at + 3] & 0xff);
        if (b[(int) at + 4] == 'I' && b[(int) at + 5] == 'D' && b[(int) at + 6] == 'A' && b[(int) at + 7] == 'T')
          idat += Math.min(len, b.length - at - 8);
        at += 12 + len;   // length, type, data, CRC
      }
      return idat;
    }
    if (b.length > 4 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8) {
      long skipped = 0;
      for (int at = 2; at + 4 <= b.length && (b[at] & 0xff) == 0xFF; ) {
        int marker = b[at + 1] & 0xff;
        if (marker == 0xDA) break;   // start of scan: pixel data follows
        int len = ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
        if ((marker >= 0xE0 && marker <= 0xEF) || marker == 0xFE) skipped += len;
        at += 2 + len;
      }
      return Math.max(0, b.length - skipped);
    }
    return b.length;
  }

  // out: [channels, H, W]
  private static float[] planes(BufferedImage img, int channels) {
    int w = img.getWidth(), h = img.getHeight(), hw = h * w;
    float[] out = new float[channels * hw];
    ColorModel cm = img.getColorModel();
    if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && cm.getComponentSize(0) <= 16
        && img.getRaster().getNumBands() >= 1 && img.getRaster().getTransferType() != java.awt.image.DataBuffer.TYPE_FLOAT
        && img.getRaster().getTransferType() != java.awt.image.DataBuffer.TYPE_DOUBLE) {
      // getRGB would map Java's linear grey space to sRGB and brighten mid-greys; we want the stored values.
      float scale = 1f / ((1 << cm.getComponentSize(0)) - 1);
      int[] g = img.getRaster().getSamples(0, 0, w, h, 0, (int[]) null);
      for (int c = 0; c < channels; c++)
        for (int i = 0; i < hw; i++) out[c * hw + i] = g[i] * scale;
      return out;
    }
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    for (int i = 0; i < hw; i++) {
      int r = (argb[i] >> 16) & 0xff, g = (argb[i] >> 8) & 0xff, b = argb[i] & 0xff;
      if (channels == 1) {
        out[i] = ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16) / 255f;   // PIL's L = R*299/1000 + ...
      } else {
        out[i] = r / 255f;
        out[hw + i] = g / 255f;
        out[2 * hw + i] = b / 255f;
      }
    }
    return out;
  }

  // x: [c, h, w] -> [c, oh, ow]; separable, rows first (reference: Pillow libImaging/Resample.c)
  static float[] resize(float[] x, int c, int h, int w, int oh, int ow) {
    if (oh == h && ow == w) return x;
    Taps tx = taps(w, ow), ty = taps(h, oh);
    float[] rows = new float[c * h * ow];
    for (int r = 0; r < c * h; r++)
      for (int o = 0; o < ow; o++) {
        float s = 0;
        for (int k = 0, base = r * w + tx.start[o]; k < tx.count[o]; k++) s += x[base + k] * tx.weight[o * tx.max + k];
        rows[r * ow + o] = s;
      }
    float[] out = new float[c * oh * ow];
    for (int ch = 0; ch < c; ch++)
      for (int o = 0; o < oh; o++)
        for (int k = 0; k < ty.count[o]; k++) {
          float wk = ty.weight[o * ty.max + k];
          int src = (ch * h + ty.start[o] + k) * ow, dst = (ch * oh + o) * ow;
          for (int j = 0; j < ow; j++) out[dst + j] += wk * rows[src + j];
        }
    return out;
  }

  /** For each output index: the first input index, how many follow, and their normalised weights. */
  private record Taps(int[] start, int[] count, float[] weight, int max) {}

  private static Taps taps(int in, int out) {
    double scale = (double) in / out, filterScale = Math.max(scale, 1), support = filterScale;  // triangle: support 1
    int max = (int) Math.ceil(support) * 2 + 1;
    int[] start = new int[out], count = new int[out];
    float[] weight = new float[out * max];
    double[] wk = new double[max];
    for (int o = 0; o < out; o++) {
      double center = (o + 0.5) * scale;
      int lo = Math.max(0, (int) (center - support + 0.5)), hi = Math.min(in, (int) (center + support + 0.5));
      double total = 0;
      for (int k = 0; k < hi - lo; k++) {
        wk[k] = Math.max(0, 1 - Math.abs((k + lo - center + 0.5) / filterScale));
        total += wk[k];
      }
      start[o] = lo;
      count[o] = hi - lo;
      for (int k = 0; k < hi - lo; k++) weight[o * max + k] = (float) (total == 0 ? 0 : wk[k] / total);
    }
    return new Taps(start, count, weight, max);
  }

  static void checkSize(String who, int height, int width) {
    if (height < 1 || width < 1)
      throw new IllegalArgumentException(who + ": size " + height + "x" + width + " must be at least 1x1");
  }
}
