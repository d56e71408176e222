package org.neurite.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.neurite.testing.Errors.assertMessage;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.tensor.Tensor;

/** Class folders and zips of generated PNG, JPEG and BMP files; pixel values, channels, resizing, errors. */
class ImageFolderTest {
  @TempDir Path dir;

  /** A 4x3 grey image, pixel (i, j) = 20 * (i * 3 + j) + 5. */
  static BufferedImage grey() {
    BufferedImage img = new BufferedImage(3, 4, BufferedImage.TYPE_BYTE_GRAY);
    for (int i = 0; i < 4; i++)
      for (int j = 0; j < 3; j++) img.getRaster().setSample(j, i, 0, 20 * (i * 3 + j) + 5);
    return img;
  }

  /** A 4x3 RGB image, pixel (i, j) = (10 i, 10 j, 200). */
  static BufferedImage rgb() {
    BufferedImage img = new BufferedImage(3, 4, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < 4; i++)
      for (int j = 0; j < 3; j++) img.setRGB(j, i, (10 * i) << 16 | (10 * j) << 8 | 200);
    return img;
  }

  static byte[] encode(BufferedImage img, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(img, format, out)) throw new IOException("no ImageIO writer for " + format);
    return out.toByteArray();
  }

  private void put(String path, byte[] bytes) throws IOException {
    Path p = dir.resolve(path);
    Files.createDirectories(p.getParent());
    Files.write(p, bytes);
  }

  @Test
  void classesSortedAndLosslessPixelsExact() throws IOException {
    put("root/dog/b.png", encode(grey(), "png"));
    put("root/cat/x.bmp", encode(rgb(), "bmp"));
    put("root/cat/deeper/y.png", encode(grey(), "png"));   // below the class folder: still the class
    put("root/cat/notes.txt", "not an image".getBytes());   // skipped by extension
    put("root/.hidden/z.png", encode(grey(), "png"));       // hidden folders are not classes
    ImageDataset d = ImageFolder.load(dir.resolve("root"), 3, 4, 3);
    assertEquals(List.of("cat", "dog"), d.classes());
    assertArrayEquals(new float[] {0, 0, 1}, d.labels().data());
    Tensor x = d.images();
    assertArrayEquals(new int[] {3, 3, 4, 3}, x.shape());
    assertEquals(20 / 255f, x.get(0, 0, 2, 0), 1e-7);      // red of x.bmp at (2, 0): 10 * 2
    assertEquals(20 / 255f, x.get(0, 1, 0, 2), 1e-7);      // green at (0, 2)
    assertEquals(200 / 255f, x.get(0, 2, 3, 1), 1e-7);
    for (int c = 0; c < 3; c++) assertEquals(125 / 255f, x.get(2, c, 2, 0), 1e-7);   // grey replicated: 20 * 6 + 5
  }

  @Test
  void greyChannelIsLumaAndJpegIsClose() throws IOException {
    put("a/one/rgb.bmp", encode(rgb(), "bmp"));
    put("a/two/grey.jpg", encode(grey(), "jpg"));
    put("a/two/grey.jpeg", encode(grey(), "jpeg"));
    ImageDataset d = ImageFolder.load(dir.resolve("a"), 1, 4, 3);
    Tensor x = d.images();
    assertArrayEquals(new int[] {3, 1, 4, 3}, x.shape());
    // PIL's L: (10*3*299 + 10*1*587 + 200*114) / 1000 = 37.640 -> 38
    assertEquals(38 / 255f, x.get(0, 0, 3, 1), 1e-7);
    for (int i = 0; i < 4; i++)
      for (int j = 0; j < 3; j++) assertEquals((20 * (i * 3 + j) + 5) / 255f, x.get(1, 0, i, j), 12 / 255f, "lossy JPEG");
  }

  @Test
  void resizesToTheRequestedSize() throws IOException {
    BufferedImage flat = new BufferedImage(8, 6, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < 6; i++)
      for (int j = 0; j < 8; j++) flat.setRGB(j, i, 0x336699);
    put("r/only/flat.png", encode(flat, "png"));
    Tensor x = ImageFolder.load(dir.resolve("r"), 3, 3, 5).images();
    assertArrayEquals(new int[] {1, 3, 3, 5}, x.shape());
    for (int k = 0; k < 15; k++) assertEquals(0x66 / 255f, x.data()[15 + k], 1e-6);   // a flat image stays flat
  }

  @Test
  void zipWithALeadingFolder() throws IOException {
    Path zip = dir.resolve("set.zip");
    try (OutputStream f = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(f)) {
      for (String name : new String[] {"train/", "train/truck/", "train/truck/0001.png", "train/cat/0000.bmp",
          "train/cat/0001.png", "__MACOSX/train/cat/._0000.bmp", "train/README.md"}) {
        z.putNextEntry(new ZipEntry(name));
        if (name.endsWith(".png")) z.write(encode(grey(), "png"));
        if (name.endsWith(".bmp")) z.write(encode(rgb(), "bmp"));
        z.closeEntry();
      }
    }
    ImageDataset d = ImageFolder.load(zip, 1, 4, 3);
    assertEquals(List.of("cat", "truck"), d.classes());
    assertArrayEquals(new float[] {0, 0, 1}, d.labels().data());
    assertEquals(125 / 255f, d.images().get(1, 0, 2, 0), 1e-7);
  }

  @Test
  void errorsNameThePath() throws IOException {
    Files.createDirectories(dir.resolve("empty"));
    assertMessage(IOException.class, () -> ImageFolder.load(dir.resolve("empty"), 3, 4, 4), "empty",
        "expected one subfolder per class, found none");
    Files.createDirectories(dir.resolve("noimg/cat"));
    assertMessage(IOException.class, () -> ImageFolder.load(dir.resolve("noimg"), 3, 4, 4), "cat",
        "expected .png, .jpg, .jpeg or .bmp files for class \"cat\", found none");
    put("bad/cat/broken.png", "definitely not a png".getBytes());
    assertMessage(IOException.class, () -> ImageFolder.load(dir.resolve("bad"), 3, 4, 4), "broken.png",
        "expected a PNG, JPEG or BMP image");
    assertMessage(IOException.class, () -> ImageFolder.load(dir.resolve("nothing"), 3, 4, 4), "nothing",
        "found nothing");
    assertMessage(IllegalArgumentException.class, () -> ImageFolder.load(dir, 2, 4, 4), "channels=2");
  }

  @Test
  void readsOneImageAndResizesWithHalfPixelCentres() throws IOException {
    put("one.png", encode(grey(), "png"));
    Tensor x = Images.read(dir.resolve("one.png"), 1, 4, 3);
    assertEquals(65 / 255f, x.get(0, 1, 0), 1e-7);
    // Enlarging is bilinear with half-pixel centres (PyTorch align_corners=False): [0, 1] -> [0, 1/4, 3/4, 1].
    Tensor up = Images.resize(Tensor.of(new float[] {0, 1}, 1, 1, 2), 1, 4);
    assertArrayEquals(new float[] {0, 0.25f, 0.75f, 1}, up.data(), 1e-6f);
    // Shrinking by 2 weighs a 4-pixel window (3/4, 3/4, 1/4 normalised at the border), as Pillow.
    Tensor down = Images.resize(Tensor.of(new float[] {0, 0, 1, 1}, 1, 1, 4), 1, 2);
    assertArrayEquals(new float[] {0.25f / 1.75f, 1.5f / 1.75f}, down.data(), 1e-6f);
  }
}
