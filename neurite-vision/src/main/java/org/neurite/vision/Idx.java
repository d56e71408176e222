package org.neurite.vision;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.neurite.tensor.Tensor;

/**
 * Reader for the IDX files of MNIST and Fashion-MNIST: big-endian arrays of unsigned bytes, plain or
 * gzip-compressed (recognised by the gzip magic bytes, not the file name). Not a general IDX reader:
 * it reads the two kinds those datasets use, images {@code [N, rows, cols]} (magic 2051) and labels
 * {@code [N]} (magic 2049), and rejects anything else.
 *
 * <p>Format (reference: yann.lecun.com/exdb/mnist): int32 magic {@code 0x00 0x00 type rank}, one int32
 * per dimension, then the bytes in row-major order, nothing after.
 */
public final class Idx {
  static final int IMAGES_MAGIC = 0x0803, LABELS_MAGIC = 0x0801;

  private Idx() {}

  /** Images as float {@code [N, 1, rows, cols]}, pixel bytes divided by 255. */
  public static Tensor readImages(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes(file));
    checkHeader(file, b, IMAGES_MAGIC, "images", 3);
    int n = b.getInt(4), rows = b.getInt(8), cols = b.getInt(12);
    if (n < 0 || rows <= 0 || cols <= 0)
      throw new IOException(file + ": expected image count >= 0 and rows, cols > 0, found count=" + n + ", rows=" + rows
          + ", cols=" + cols);
    checkBody(file, b, 16, (long) n * rows * cols, n + " images of " + rows + "x" + cols);
    byte[] src = b.array();
    float[] x = new float[n * rows * cols];
    for (int i = 0; i < x.length; i++) x[i] = (src[16 + i] & 0xff) / 255f;
    return Tensor.of(x, n, 1, rows, cols);
  }

  /** Labels as float class indices {@code [N]}. */
  public static Tensor readLabels(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes(file));
    checkHeader(file, b, LABELS_MAGIC, "labels", 1);
    int n = b.getInt(4);
    if (n < 0) throw new IOException(file + ": expected label count >= 0, found count=" + n);
    checkBody(file, b, 8, n, n + " labels");
    byte[] src = b.array();
    float[] y = new float[n];
    for (int i = 0; i < n; i++) y[i] = src[8 + i] & 0xff;
    return Tensor.of(y, n);
  }

  /** The file's bytes, decompressed when it starts with the gzip magic 0x1f 0x8b. */
  static byte[] bytes(Path file) throws IOException {
    byte[] raw = Files.readAllBytes(file);
    if (raw.length < 2 || (raw[0] & 0xff) != 0x1f || (raw[1] & 0xff) != 0x8b) return raw;
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IOException(file + ": expected a complete gzip stream, found corrupt or truncated data (" + e.getMessage()
          + ")", e);
    }
  }

  // Magic first: a file of the other kind is often shorter than this kind's header.
  private static void checkHeader(Path file, ByteBuffer b, int magic, String kind, int rank) throws IOException {
    int headerBytes = 4 + 4 * rank;
    if (b.capacity() >= 4 && b.getInt(0) != magic) {
      int found = b.getInt(0);
      throw new IOException(file + ": expected IDX " + kind + " magic " + magic + String.format(Locale.ROOT, " (0x%08x)", magic)
          + ", found " + found + String.format(Locale.ROOT, " (0x%08x)", found));
    }
    if (b.capacity() < headerBytes)
      throw new IOException(file + ": expected an IDX " + kind + " header of " + headerBytes + " bytes, found a file of "
          + b.capacity() + " bytes");
  }

  private static void checkBody(Path file, ByteBuffer b, int header, long expected, String what) throws IOException {
    long found = b.capacity() - header;
    if (found < expected)
      throw new IOException(file + ": expected " + expected + " data bytes for " + what + ", found " + found
          + " (truncated file)");
    if (found > expected)
      throw new IOException(file + ": expected " + expected + " data bytes for " + what + ", found " + found
          + " (extra bytes after the data)");
  }
}
