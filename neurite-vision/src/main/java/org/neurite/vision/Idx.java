package org.neurite.vision;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.neurite.io.Heap;
import org.neurite.tensor.Tensor;

/**
 * Reader for the IDX files of MNIST and Fashion-MNIST: big-endian arrays of unsigned bytes, plain or
 * gzip-compressed (recognised by the gzip magic bytes, not the file name). Not a general IDX reader:
 * it reads the two kinds those datasets use, images {@code [N, rows, cols]} (magic 2051) and labels
 * {@code [N]} (magic 2049), and rejects anything else.
 *
 * <p>Format (reference: yann.lecun.com/exdb/mnist): int32 magic {@code 0x00 0x00 type rank}, one int32
 * per dimension, then the bytes in row-major order, nothing after.
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class Idx {
  static final int IMAGES_MAGIC = 0x0803, LABELS_MAGIC = 0x0801;

  private Idx() {}

  /**
   * Images as float {@code [N, 1, rows, cols]}, pixel bytes divided by 255.
   *
   * @param file an IDX image file, gzipped or not
   * @return the images {@code [N, 1, rows, cols]} in [0, 1]
   * @throws IOException if a file cannot be read or is not in the expected format
   */
  public static Tensor readImages(Path file) throws IOException {
    try (Body in = Body.open(file)) {
      ByteBuffer b = ByteBuffer.wrap(in.header(16));
      checkHeader(file, b, IMAGES_MAGIC, "images", 3);
      int n = b.getInt(4), rows = b.getInt(8), cols = b.getInt(12);
      if (n < 0 || rows <= 0 || cols <= 0)
        throw new IOException(file + ": expected image count >= 0 and rows, cols > 0, found count=" + n + ", rows=" + rows
            + ", cols=" + cols);
      long count = (long) n * rows * cols;
      if (count > Integer.MAX_VALUE - 8 || (long) rows * cols > Integer.MAX_VALUE - 8)
        throw new IOException(file + ": " + n + " images of " + rows + "x" + cols + " are more than one Java array holds");
      byte[] src = in.body(count, n + " images of " + rows + "x" + cols, 5);
      float[] x = new float[src.length];
      for (int i = 0; i < x.length; i++) x[i] = (src[i] & 0xff) / 255f;
      return Tensor.of(x, n, 1, rows, cols);
    }
  }

  /**
   * Labels as float class indices {@code [N]}.
   *
   * @param file an IDX label file, gzipped or not
   * @return the labels {@code [N]}
   * @throws IOException if a file cannot be read or is not in the expected format
   */
  public static Tensor readLabels(Path file) throws IOException {
    try (Body in = Body.open(file)) {
      ByteBuffer b = ByteBuffer.wrap(in.header(8));
      checkHeader(file, b, LABELS_MAGIC, "labels", 1);
      int n = b.getInt(4);
      if (n < 0) throw new IOException(file + ": expected label count >= 0, found count=" + n);
      byte[] src = in.body(n, n + " labels", 5);
      float[] y = new float[n];
      for (int i = 0; i < n; i++) y[i] = src[i] & 0xff;
      return Tensor.of(y, n);
    }
  }

  /**
   * The file's bytes as a stream, decompressed when it starts with the gzip magic 0x1f 0x8b. The
   * header is read first; the body is allocated only once its declared size is known to fit the file
   * (raw: the file's size; gzip: deflate's best ratio, 1032:1) and the heap, so a lying header or a
   * gzip bomb fails with a message, not an {@link OutOfMemoryError}.
   */
  private static final class Body implements AutoCloseable {
    private static final long DEFLATE_MAX_RATIO = 1032;
    private final Path file;
    private final InputStream in;
    private final boolean gzip;
    private final long fileSize;
    private int headerLen;

    private Body(Path file, InputStream in, boolean gzip, long fileSize) {
      this.file = file;
      this.in = in;
      this.gzip = gzip;
      this.fileSize = fileSize;
    }

    static Body open(Path file) throws IOException {
      long size = Files.size(file);
      InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
      raw.mark(2);
      int a = raw.read(), b = raw.read();
      raw.reset();
      if (a != 0x1f || b != 0x8b) return new Body(file, raw, false, size);
      try {
        return new Body(file, new BufferedInputStream(new GZIPInputStream(raw), 1 << 16), true, size);
      } catch (IOException | RuntimeException e) {
        raw.close();
        throw corrupt(file, e);
      }
    }

    /** Up to {@code n} header bytes (fewer when the data ends first). */
    byte[] header(int n) throws IOException {
      try {
        byte[] h = in.readNBytes(n);
        headerLen = h.length;
        return h;
      } catch (IOException | RuntimeException e) {
        if (!gzip) throw e;
        throw corrupt(file, e);
      }
    }

    /** Exactly {@code expected} bytes of data, and nothing after them. */
    byte[] body(long expected, String what, int floatFactor) throws IOException {
      if (!gzip && fileSize - headerLen != expected) checkBody(file, fileSize - headerLen, expected, what);
      if (gzip && expected > DEFLATE_MAX_RATIO * fileSize + (1 << 16))
        throw new IOException(file + ": expected " + expected + " data bytes for " + what + ", but a gzip file of " + fileSize
            + " bytes cannot hold more than " + DEFLATE_MAX_RATIO * fileSize + " (truncated file or a corrupt header)");
      Heap.requireArray("read " + file + " (" + what + ")", floatFactor * expected);   // one float array
      try {
        byte[] data = in.readNBytes((int) expected);
        if (data.length < expected) checkBody(file, data.length, expected, what);
        long extra = 0;
        while (extra < (1L << 30) && in.read() >= 0) extra += 1 + in.skip(1L << 20);
        if (extra > 0) checkBody(file, expected + extra, expected, what);
        return data;
      } catch (IOException | RuntimeException e) {
        if (!gzip || e.getMessage() != null && e.getMessage().startsWith(file + ": expected ")) throw e;
        throw corrupt(file, e);
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  private static IOException corrupt(Path file, Exception e) {
    return new IOException(file + ": expected a complete gzip stream, found corrupt or truncated data (" + e.getMessage()
        + ")", e);
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

  private static void checkBody(Path file, long found, long expected, String what) throws IOException {
    if (found < expected)
      throw new IOException(file + ": expected " + expected + " data bytes for " + what + ", found " + found
          + " (truncated file)");
    if (found > expected)
      throw new IOException(file + ": expected " + expected + " data bytes for " + what + ", found " + found
          + " (extra bytes after the data)");
  }
}
