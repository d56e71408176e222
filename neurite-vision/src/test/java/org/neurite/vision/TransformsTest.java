package org.neurite.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.neurite.testing.Errors.assertMessage;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/** Each transform's geometry on small hand-made images, seeding, and the --augment spelling. */
class TransformsTest {
  /** [c, h, w] with distinct values in (0, 1): pixel k is (k + 1) / (n + 1). */
  static Tensor ramp(int c, int h, int w) {
    float[] x = new float[c * h * w];
    for (int i = 0; i < x.length; i++) x[i] = (i + 1f) / (x.length + 1);
    return Tensor.of(x, c, h, w);
  }

  private static final Rng RNG = new Rng(1);

  @Test
  void flipsMoveAKnownPixel() {
    Tensor x = Tensor.zeros(2, 3, 4);
    x.data()[1 * 12 + 0 * 4 + 1] = 1;   // channel 1, row 0, column 1
    Tensor h = Transforms.hflip(1).apply(x, RNG), v = Transforms.vflip(1).apply(x, RNG);
    assertEquals(1f, h.get(1, 0, 2));
    assertEquals(1f, v.get(1, 2, 1));
    assertEquals(1f, sum(h));
    assertEquals(1f, sum(v));
    assertSame(x, Transforms.hflip(0).apply(x, RNG), "p=0 never flips");
  }

  @Test
  void rotationBy90IsTheExactTransposeFlip() {
    for (int n : new int[] {4, 5}) {
      Tensor x = ramp(2, n, n);
      Tensor r = Transforms.rotate(90, 90).apply(x, RNG);
      float[] expected = new float[x.size()];
      for (int c = 0; c < 2; c++)   // counter-clockwise, as numpy.rot90: out[i][j] = in[j][n-1-i]
        for (int i = 0; i < n; i++)
          for (int j = 0; j < n; j++) expected[(c * n + i) * n + j] = x.get(c, j, n - 1 - i);
      assertArrayEquals(expected, r.data(), 1e-6f, "n=" + n);
    }
    Tensor x = ramp(1, 5, 7);
    assertArrayEquals(x.data(), Transforms.rotate(0, 0).apply(x, RNG).data(), 1e-6f);
  }

  @Test
  void rotationFillsTheCornersWithZero() {
    Tensor r = Transforms.rotate(45, 45).apply(Tensor.ones(1, 9, 9), RNG);
    assertEquals(0f, r.get(0, 0, 0));
    assertEquals(1f, r.get(0, 4, 4), 1e-6);
  }

  @Test
  void cropWithPaddingKeepsTheSizeAndShiftsTheContent() {
    Tensor x = ramp(3, 6, 5);
    for (long seed = 0; seed < 20; seed++) {
      Tensor y = Transforms.randomCrop(2).apply(x, new Rng(seed));
      assertArrayEquals(x.shape(), y.shape());
      assertTrue(isShift(x, y, 2), "seed " + seed + ": a crop of the padded image is a shift of at most 2 pixels");
    }
    assertArrayEquals(x.data(), Transforms.randomCrop(0).apply(x, RNG).data());
    assertArrayEquals(new int[] {3, 4, 3}, Transforms.randomCrop(4, 3, 0).apply(x, RNG).shape());
    assertMessage(IllegalArgumentException.class, () -> Transforms.randomCrop(9, 9, 1).apply(x, RNG),
        "crop: 9x9 does not fit in the padded image 8x7");
  }

  @Test
  void translationIsAShiftWithinTheFraction() {
    Tensor x = ramp(1, 10, 10);
    boolean moved = false;
    for (long seed = 0; seed < 20; seed++) {
      Tensor y = Transforms.translate(0.2f, 0.2f).apply(x, new Rng(seed));
      assertTrue(isShift(x, y, 2));
      moved |= !Arrays.equals(x.data(), y.data());
    }
    assertTrue(moved);
  }

  /** True when y is x moved by some (dy, dx) with |dy|, |dx| <= max, zeros shifted in. */
  static boolean isShift(Tensor x, Tensor y, int max) {
    int c = x.shape(0), h = x.shape(1), w = x.shape(2);
    for (int dy = -max; dy <= max; dy++)
      for (int dx = -max; dx <= max; dx++) {
        boolean ok = true;
        for (int ch = 0; ch < c && ok; ch++)
          for (int i = 0; i < h && ok; i++)
            for (int j = 0; j < w && ok; j++) {
              int si = i - dy, sj = j - dx;
              float want = si < 0 || si >= h || sj < 0 || sj >= w ? 0 : x.get(ch, si, sj);
              ok = y.get(ch, i, j) == want;
            }
        if (ok) return true;
      }
    return false;
  }

  @Test
  void resizedCrop() {
    Tensor x = ramp(3, 8, 8);
    assertArrayEquals(x.data(), Transforms.randomResizedCrop(0, 0, 1, 1, 1, 1).apply(x, RNG).data(), 1e-6f,
        "the whole square image, resized to itself");
    assertArrayEquals(new int[] {3, 5, 6}, Transforms.randomResizedCrop(5, 6, 0.08f, 1, 0.75f, 4f / 3).apply(x, RNG).shape());
    // aspect ratios that never fit fall back to the central crop: width 8 and height round(8 / 4) = 2
    Tensor y = Transforms.randomResizedCrop(2, 8, 1, 1, 4, 4).apply(x, RNG);
    assertArrayEquals(x.slice(1, 3, 5).contiguous().data(), y.data(), 1e-6f);
  }

  @Test
  void brightnessAndContrast() {
    Tensor x = ramp(3, 4, 4);
    assertArrayEquals(x.data(), Transforms.brightness(0).apply(x, RNG).data());
    assertArrayEquals(x.data(), Transforms.contrast(0).apply(x, RNG).data(), 1e-6f);
    Tensor b = Transforms.brightness(0.5f).apply(x, new Rng(3));
    float ratio = b.data()[0] / x.data()[0];
    for (int i = 0; i < x.size(); i++) assertEquals(Math.min(1f, ratio * x.data()[i]), b.data()[i], 1e-5);
    Tensor c = Transforms.contrast(0.9f).apply(x, new Rng(3));
    for (float v : c.data()) assertTrue(v >= 0 && v <= 1);
    assertFalse(Arrays.equals(x.data(), c.data()));
  }

  @Test
  void cutoutZeroesASquare() {
    Tensor x = Tensor.ones(2, 12, 12);
    for (long seed = 0; seed < 10; seed++) {
      Tensor y = Transforms.cutout(4, 1).apply(x, new Rng(seed));
      int zeros = 0, top = 12, bottom = -1, left = 12, right = -1;
      for (int i = 0; i < 12; i++)
        for (int j = 0; j < 12; j++)
          if (y.get(1, i, j) == 0) {
            zeros++;
            top = Math.min(top, i);
            bottom = Math.max(bottom, i);
            left = Math.min(left, j);
            right = Math.max(right, j);
          }
      assertEquals((bottom - top + 1) * (right - left + 1), zeros, "one rectangle");
      assertTrue(zeros > 0 && zeros <= 16 && bottom - top < 4 && right - left < 4);
      assertEquals(sum(y) / 2, 144 - zeros, "every channel");
    }
    assertEquals(1f, sum(x) / 288, "the input is left alone");
  }

  @Test
  void normalizePerChannel() {
    Tensor x = Tensor.of(new float[] {0.5f, 1f, 0f, 0.2f}, 2, 1, 2);
    Tensor y = Transforms.normalize(new float[] {0.5f, 0.2f}, new float[] {0.5f, 2}).apply(x, RNG);
    assertArrayEquals(new float[] {0, 1, -0.1f, 0}, y.data(), 1e-6f);
    assertEquals((0 - 0.1307f) / 0.3081f, Transforms.normalizeMnist().apply(Tensor.zeros(1, 1, 1), RNG).item(), 1e-6);
    assertMessage(IllegalArgumentException.class, () -> Transforms.normalizeCifar10().apply(x, RNG),
        "normalize: 3 channel means for an image [2, 1, 2], expected 2");
    assertMessage(IllegalArgumentException.class, () -> Transforms.normalize(new float[] {0}, new float[] {0}),
        "std [0.0] must all be > 0");
  }

  @Test
  void seededAugmentationIsReproducibleAndDiffersAcrossSeeds() {
    Transform t = Transforms.parse("rotate=15,flip=hv,crop=2,resized-crop=0.5,translate=0.1,brightness=0.3,contrast=0.3,cutout=3");
    Tensor x = ramp(3, 16, 16);
    float[] a = t.apply(x, new Rng(42)).data(), b = t.apply(x, new Rng(42)).data(), c = t.apply(x, new Rng(43)).data();
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, c));
  }

  @Test
  void parserSpellingRoundTrips() {
    for (String spec : new String[] {"rotate=10,flip=h,crop=4,cutout=8", "rotate=-5:20", "flip=v:0.25",
        "crop=4:24x24", "resized-crop=0.08", "resized-crop=0.5:0.9", "resized-crop=0.5:1:24x24", "translate=0.1",
        "translate=0.1:0.2", "brightness=0.2,contrast=0.4", "cutout=8:2"})
      assertEquals(spec, Transforms.parse(spec).toString());
    assertEquals("flip=h,flip=v", Transforms.parse(" flip = hv ").toString());
    assertEquals("none", Transforms.parse("none").toString());
  }

  @Test
  void parserErrors() {
    assertMessage(IllegalArgumentException.class, () -> Transforms.parse("rotate=10,spin=3"), "unknown transform \"spin\"",
        "known: rotate, flip, crop, resized-crop, translate, brightness, contrast, cutout");
    assertMessage(IllegalArgumentException.class, () -> Transforms.parse("rotate=ten"), "--augment rotate=ten: expected rotate=DEGREES",
        "\"ten\" is not a number");
    assertMessage(IllegalArgumentException.class, () -> Transforms.parse("crop"), "--augment crop: expected crop=PADDING", "no value");
    assertMessage(IllegalArgumentException.class, () -> Transforms.parse("flip=x"), "direction \"x\" is not h, v or hv");
    assertMessage(IllegalArgumentException.class, () -> Transforms.parse("cutout=8:2:1"), "3 values, expected 1 to 2");
    assertMessage(IllegalArgumentException.class, () -> Transforms.parse("rotate=10,"), "unknown transform \"\"");
    assertMessage(IllegalArgumentException.class, () -> Transforms.parse(" "), "--augment: empty");
    assertMessage(IllegalArgumentException.class, () -> Transforms.parse("resized-crop=2"), "0 < min <= max <= 1");
  }

  private static float sum(Tensor t) {
    float s = 0;
    for (float v : t.data()) s += v;
    return s;
  }
}
