package org.neurite.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.neurite.testing.Errors.assertMessage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small files that decode or inflate to gigabytes are refused before the work, whatever their layout. */
class ImageBombTest {
  @TempDir
  Path dir;

  /** A greyscale PNG declaring w x h pixels, with {@code idat} bytes of image data and {@code junk} bytes of an unread chunk. */
  static byte[] png(int w, int h, int idat, int junk) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
    chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0)
        .put((byte) 0).array());
    if (junk > 0) chunk(out, "juNk", new byte[junk]);   // ancillary, private: every decoder skips it
    Deflater d = new Deflater(9);
    d.setInput(new byte[idat * 50]);
    d.finish();
    byte[] z = new byte[idat];
    chunk(out, "IDAT", java.util.Arrays.copyOf(z, d.deflate(z)));
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
    out.write(ByteBuffer.allocate(4).putInt(data.length).array());
    byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    out.write(t);
    out.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  @Test
  void aPngPaddedWithAJunkChunkIsStillABomb() throws IOException {
    // 16000 x 16000 = 2.56e8 pixels: with 200 KB of junk the file is big enough for 2048 pixels a byte,
    // its image data is not.
    byte[] bomb = png(16_000, 16_000, 2_000, 200_000);
    assertEquals(true, Images.imageDataBytes(bomb) < 3_000);
    Path f = dir.resolve("bomb.png");
    Files.write(f, bomb);
    assertMessage(IOException.class, () -> Images.read(f, 1, 28, 28), "bomb.png", "16000x16000 pixels",
        "bytes of image data", "decompression bomb");
  }

  @Test
  void aZipEntryThatInflatesPastTheImageLimitIsRefused() throws IOException {
    Path zip = dir.resolve("bomb.zip");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
      z.setLevel(9);
      z.putNextEntry(new ZipEntry("data/cat/a.png"));
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i <= Images.MAX_FILE_BYTES >> 20; i++) z.write(zeros);   // 65 MiB of zeros, 65 KB deflated
      z.closeEntry();
      z.putNextEntry(new ZipEntry("data/dog/b.png"));
      z.write(png(2, 2, 10, 0));
      z.closeEntry();
    }
    assertEquals(true, Files.size(zip) < 1 << 20);
    assertMessage(IOException.class, () -> ImageFolder.load(zip, 1, 4, 4), "bomb.zip!/data/cat/a.png", "inflates to more than");
  }

  @Test
  void aDatasetLargerThanOneArrayIsRefusedBeforeDecoding() throws IOException {
    for (String c : new String[] {"a", "b"}) {
      Files.createDirectories(dir.resolve("many/" + c));
      Files.write(dir.resolve("many/" + c + "/x.png"), png(2, 2, 10, 0));
    }
    assertMessage(IOException.class, () -> ImageFolder.load(dir.resolve("many"), 3, 30_000, 30_000), "2 images of 3x30000x30000",
        "more than one Java array holds");
  }
}
