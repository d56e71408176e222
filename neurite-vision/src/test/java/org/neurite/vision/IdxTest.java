package org.neurite.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.neurite.testing.Errors.assertMessage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.tensor.Tensor;

/** IDX round trips on tiny generated files, plain and gzip, and the errors for wrong, truncated and corrupt files. */
class IdxTest {
  @TempDir Path dir;

  /** An IDX file: magic, one int32 per dimension, then the bytes. */
  static byte[] idx(int magic, int[] dims, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
    b.putInt(magic);
    for (int d : dims) b.putInt(d);
    return b.put(data).array();
  }

  static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    }
    return out.toByteArray();
  }

  private static final byte[] PIXELS = new byte[3 * 2 * 4];
  private static final byte[] LABELS = {7, 0, (byte) 9};

  static {
    for (int i = 0; i < PIXELS.length; i++) PIXELS[i] = (byte) (i * 11);   // up to 253: exercises unsigned bytes
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  private static void checkRoundTrip(Tensor x, Tensor y) {
    assertArrayEquals(new int[] {3, 1, 2, 4}, x.shape());
    float[] expected = new float[PIXELS.length];
    for (int i = 0; i < expected.length; i++) expected[i] = (PIXELS[i] & 0xff) / 255f;
    assertArrayEquals(expected, x.data());
    assertArrayEquals(new float[] {7, 0, 9}, y.data());
  }

  @Test
  void roundTripPlain() throws IOException {
    checkRoundTrip(Idx.readImages(write("images", idx(2051, new int[] {3, 2, 4}, PIXELS))),
        Idx.readLabels(write("labels", idx(2049, new int[] {3}, LABELS))));
  }

  @Test
  void roundTripGzip() throws IOException {
    // named without .gz on purpose: gzip is recognised by its magic bytes
    checkRoundTrip(Idx.readImages(write("images", gzip(idx(2051, new int[] {3, 2, 4}, PIXELS)))),
        Idx.readLabels(write("labels.gz", gzip(idx(2049, new int[] {3}, LABELS)))));
  }

  @Test
  void wrongMagicNamesFileAndBothNumbers() throws IOException {
    Path labels = write("labels", idx(2049, new int[] {3}, LABELS));
    assertMessage(IOException.class, () -> Idx.readImages(labels), labels.toString(), "expected IDX images magic 2051",
        "found 2049");
    Path images = write("images", idx(2051, new int[] {3, 2, 4}, PIXELS));
    assertMessage(IOException.class, () -> Idx.readLabels(images), "expected IDX labels magic 2049", "found 2051");
  }

  @Test
  void truncatedBodyAndExtraBytes() throws IOException {
    byte[] full = idx(2051, new int[] {3, 2, 4}, PIXELS);
    Path cut = write("cut", Arrays.copyOf(full, full.length - 1));
    assertMessage(IOException.class, () -> Idx.readImages(cut), cut.toString(), "expected 24 data bytes for 3 images of 2x4",
        "found 23", "truncated");
    Path longer = write("longer.gz", gzip(Arrays.copyOf(full, full.length + 2)));
    assertMessage(IOException.class, () -> Idx.readImages(longer), "expected 24 data bytes", "found 26", "extra bytes");
    Path labels = write("labels", idx(2049, new int[] {5}, LABELS));
    assertMessage(IOException.class, () -> Idx.readLabels(labels), "expected 5 data bytes for 5 labels", "found 3");
  }

  @Test
  void truncatedHeaderAndBadDimensions() throws IOException {
    Path tiny = write("tiny", new byte[] {0, 0, 8, 3, 0});
    assertMessage(IOException.class, () -> Idx.readImages(tiny), tiny.toString(),
        "expected an IDX images header of 16 bytes", "found a file of 5 bytes");
    Path neg = write("neg", idx(2051, new int[] {1, -2, 4}, new byte[0]));
    assertMessage(IOException.class, () -> Idx.readImages(neg), "rows=-2");
  }

  @Test
  void truncatedOrCorruptGzip() throws IOException {
    byte[] gz = gzip(idx(2051, new int[] {3, 2, 4}, PIXELS));
    Path cut = write("cut.gz", Arrays.copyOf(gz, gz.length / 2));
    assertMessage(IOException.class, () -> Idx.readImages(cut), cut.toString(), "expected a complete gzip stream",
        "corrupt or truncated");
    byte[] bad = gz.clone();
    for (int i = 10; i < bad.length - 8; i++) bad[i] ^= (byte) 0x5a;
    Path corrupt = write("corrupt.gz", bad);
    assertMessage(IOException.class, () -> Idx.readImages(corrupt), corrupt.toString(), "expected a complete gzip stream");
  }
}
