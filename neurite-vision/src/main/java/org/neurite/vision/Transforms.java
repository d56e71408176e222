package org.neurite.vision;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * Per-sample image transforms on {@code [C, H, W]} floats: normalisation and seeded augmentation with
 * torchvision's semantics (named on each factory), their composition, and the command-line spelling.
 * Geometry is in pixel-index coordinates with the centre of an image at ((W-1)/2, (H-1)/2), as
 * torchvision; pixels moved in from outside the image are 0. Brightness and contrast assume pixels in
 * [0, 1] (apply them before normalising); cutout zeroes pixels in whatever space it runs in. Not batched
 * and not differentiable: these run in the data loader, one sample at a time.
 *
 * <h2>Command-line spelling ({@link #parse})</h2>
 * <pre>
 * spec  = item *("," item)          items apply left to right; "none" is no transform
 * item  = name "=" arg *(":" arg)
 * rotate=D | rotate=A:B             angle uniform in [-D, D] (or [A, B]) degrees, counter-clockwise, bilinear
 * flip=h | flip=v | flip=hv [:P]    horizontal and/or vertical flip, each with probability P (default 0.5)
 * crop=P [:HxW]                     pad P zeros on each side, then a random HxW crop (default: the input size)
 * resized-crop=S [:T] [:HxW]        random crop of area fraction in [S, T] (default T=1), aspect ratio in
 *                                   [3/4, 4/3], resized to HxW (default: the input size)
 * translate=F [:G]                  shift by whole pixels, up to F of the width and G (default F) of the height
 * brightness=B                      scale by a factor in [max(0, 1-B), 1+B], clamp to [0, 1]
 * contrast=C                        blend with the mean grey by a factor in [max(0, 1-C), 1+C], clamp to [0, 1]
 * cutout=S [:N]                     zero N (default 1) squares of side S centred on random pixels
 * </pre>
 * Example: {@code rotate=10,flip=h,crop=4,cutout=8}. A transform's {@code toString()} is its spelling here.
 *
 * <p>Thread-safe: static factories of immutable transforms; the spelling table is filled once, at class
 * initialisation.
 */
public final class Transforms {
  // Dataset statistics of the training sets (pixels in [0, 1]), as the torchvision examples use them.

  private Transforms() {}

  // ---------------------------------------------------------------- composition

  /**
   * The transforms applied one after another.
   *
   * @param steps the transforms, in order
   * @return their composition
   */
  public static Transform compose(Transform... steps) {
    List<Transform> flat = new ArrayList<>();
    for (Transform t : steps) {
      if (t instanceof Compose c) flat.addAll(c.steps);
      else flat.add(t);
    }
    return new Compose(List.copyOf(flat));
  }

  /**
   * No change.
   *
   * @return a transform that returns its input
   */
  public static Transform identity() {
    return new Compose(List.of());
  }

  private record Compose(List<Transform> steps) implements Transform {
    @Override
    public Tensor apply(Tensor x, Rng rng) {
      for (Transform t : steps) x = t.apply(x, rng);
      return x;
    }

    @Override
    public String toString() {
      if (steps.isEmpty()) return "none";
      StringBuilder sb = new StringBuilder();
      for (Transform t : steps) sb.append(sb.isEmpty() ? "" : ",").append(t);
      return sb.toString();
    }
  }

  // ---------------------------------------------------------------- normalisation

  /**
   * {@code (x - mean[c]) / std[c]} per channel (torchvision Normalize).
   *
   * @param mean one value per channel, copied
   * @param std one value per channel, each {@code > 0}, copied
   * @return the transform
   */
  public static Transform normalize(float[] mean, float[] std) {
    if (mean.length == 0 || mean.length != std.length)
      throw new IllegalArgumentException("normalize: mean has " + mean.length + " values and std " + std.length
          + ", expected one of each per channel");
    for (float s : std)
      if (!(s > 0)) throw new IllegalArgumentException("normalize: std " + Arrays.toString(std) + " must all be > 0");
    return new Normalize(mean.clone(), std.clone());
  }

  /**
   * MNIST's training-set mean 0.1307 and std 0.3081.
   *
   * @return the transform
   */
  public static Transform normalizeMnist() {
    return Preprocessing.MNIST.transform();
  }

  /**
   * CIFAR-10's training-set per-channel mean (0.4914, 0.4822, 0.4465) and std (0.2470, 0.2435, 0.2616).
   *
   * @return the transform
   */
  public static Transform normalizeCifar10() {
    return Preprocessing.CIFAR10.transform();
  }

  private record Normalize(float[] mean, float[] std) implements Transform {
    @Override
    public Tensor apply(Tensor x, Rng rng) {
      int[] s = chw("normalize", x);
      if (s[0] != mean.length)
        throw new IllegalArgumentException("normalize: " + mean.length + " channel means for an image " + Shape.str(s)
            + ", expected " + s[0]);
      int hw = s[1] * s[2];
      float[] in = x.data(), out = new float[in.length];
      for (int c = 0; c < s[0]; c++)
        for (int i = c * hw; i < (c + 1) * hw; i++) out[i] = (in[i] - mean[c]) / std[c];
      return Tensor.of(out, s);
    }

    @Override
    public String toString() {
      return "normalize(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")";
    }
  }

  // ---------------------------------------------------------------- geometry

  /**
   * Rotation by an angle uniform in [{@code minDegrees}, {@code maxDegrees}], counter-clockwise, about
   * the centre, bilinear, fill 0 (torchvision RandomRotation((min, max))).
   *
   * @param minDegrees the smallest angle
   * @param maxDegrees the largest angle
   * @return the transform
   */
  public static Transform rotate(float minDegrees, float maxDegrees) {
    if (!(minDegrees <= maxDegrees) || !Float.isFinite(minDegrees) || !Float.isFinite(maxDegrees))
      throw new IllegalArgumentException("rotate: degrees range [" + minDegrees + ", " + maxDegrees
          + "] must be finite with min <= max");
    return new Rotate(minDegrees, maxDegrees);
  }

  private record Rotate(float min, float max) implements Transform {
    @Override
    public Tensor apply(Tensor x, Rng rng) {
      int[] s = chw("rotate", x);
      int c = s[0], h = s[1], w = s[2], hw = h * w;
      double a = Math.toRadians(min + (max - min) * rng.nextDouble());
      double cos = Math.cos(a), sin = Math.sin(a), cy = (h - 1) / 2.0, cx = (w - 1) / 2.0;
      float[] in = x.data(), out = new float[in.length];
      for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
          // Inverse map: the source of output pixel (i, j) under a counter-clockwise turn with y pointing down.
          double dx = j - cx, dy = i - cy;
          double sx = cx + cos * dx - sin * dy, sy = cy + sin * dx + cos * dy;
          int x0 = (int) Math.floor(sx), y0 = (int) Math.floor(sy);
          double fx = sx - x0, fy = sy - y0;
          for (int ch = 0; ch < c; ch++) {
            int base = ch * hw;
            double v = (1 - fy) * ((1 - fx) * tap(in, base, h, w, y0, x0) + fx * tap(in, base, h, w, y0, x0 + 1))
                + fy * ((1 - fx) * tap(in, base, h, w, y0 + 1, x0) + fx * tap(in, base, h, w, y0 + 1, x0 + 1));
            out[base + i * w + j] = (float) v;
          }
        }
      return Tensor.of(out, s);
    }

    @Override
    public String toString() {
      return min == -max ? "rotate=" + num(max) : "rotate=" + num(min) + ":" + num(max);
    }
  }

  private static float tap(float[] x, int base, int h, int w, int i, int j) {
    return i < 0 || i >= h || j < 0 || j >= w ? 0f : x[base + i * w + j];
  }

  /**
   * Mirror left-right with probability {@code p} (torchvision RandomHorizontalFlip).
   *
   * @param p the probability of a flip, in [0, 1]
   * @return the transform
   */
  public static Transform hflip(float p) {
    return new Flip(true, probability("hflip", p));
  }

  /**
   * Mirror top-bottom with probability {@code p} (torchvision RandomVerticalFlip).
   *
   * @param p the probability of a flip, in [0, 1]
   * @return the transform
   */
  public static Transform vflip(float p) {
    return new Flip(false, probability("vflip", p));
  }

  private record Flip(boolean horizontal, float p) implements Transform {
    @Override
    public Tensor apply(Tensor x, Rng rng) {
      int[] s = chw(horizontal ? "hflip" : "vflip", x);
      if (!(rng.nextFloat() < p)) return x;
      int rows = s[0] * s[1], w = s[2], h = s[1];
      float[] in = x.data(), out = new float[in.length];
      for (int r = 0; r < rows; r++) {
        int src = horizontal ? r : (r / h) * h + (h - 1 - r % h);
        for (int j = 0; j < w; j++) out[r * w + j] = in[src * w + (horizontal ? w - 1 - j : j)];
      }
      return Tensor.of(out, s);
    }

    @Override
    public String toString() {
      return "flip=" + (horizontal ? "h" : "v") + (p == 0.5f ? "" : ":" + num(p));
    }
  }

  /**
   * Zero-pad {@code padding} on each side, then crop a random region of the input's size (torchvision
   * RandomCrop).
   *
   * @param padding the zero padding on each side, in pixels
   * @return the transform
   */
  public static Transform randomCrop(int padding) {
    return randomCrop(0, 0, padding);
  }

  /**
   * Zero-pad {@code padding} on each side, then crop a random {@code height x width} region
   * (torchvision RandomCrop(size, padding)); 0 for height and width keeps the input size.
   *
   * @param height the crop height (0: the input's)
   * @param width the crop width (0: the input's)
   * @param padding the zero padding on each side, in pixels
   * @return the transform
   */
  public static Transform randomCrop(int height, int width, int padding) {
    if (padding < 0 || height < 0 || width < 0 || (height == 0) != (width == 0))
      throw new IllegalArgumentException("randomCrop: size " + height + "x" + width + " and padding=" + padding
          + " must be >= 0, with both sizes 0 (keep the input size) or both > 0");
    return new Crop(height, width, padding);
  }

  private record Crop(int height, int width, int padding) implements Transform {
    @Override
    public Tensor apply(Tensor x, Rng rng) {
      int[] s = chw("crop", x);
      int c = s[0], h = s[1], w = s[2], oh = height == 0 ? h : height, ow = width == 0 ? w : width;
      if (oh > h + 2 * padding || ow > w + 2 * padding)
        throw new IllegalArgumentException("crop: " + oh + "x" + ow + " does not fit in the padded image " + (h + 2 * padding)
            + "x" + (w + 2 * padding) + " (input " + Shape.str(s) + ", padding=" + padding + ")");
      int top = rng.nextInt(h + 2 * padding - oh + 1) - padding, left = rng.nextInt(w + 2 * padding - ow + 1) - padding;
      return Tensor.of(window(x.data(), c, h, w, top, left, oh, ow), c, oh, ow);
    }

    @Override
    public String toString() {
      return "crop=" + padding + (height == 0 ? "" : ":" + height + "x" + width);
    }
  }

  // x: [c, h, w] -> [c, oh, ow], the window at (top, left) in x's coordinates; outside x is 0
  private static float[] window(float[] x, int c, int h, int w, int top, int left, int oh, int ow) {
    float[] out = new float[c * oh * ow];
    for (int ch = 0; ch < c; ch++)
      for (int i = 0; i < oh; i++) {
        int si = top + i;
        if (si < 0 || si >= h) continue;
        int j0 = Math.max(0, -left), j1 = Math.min(ow, w - left);
        if (j1 > j0) System.arraycopy(x, (ch * h + si) * w + left + j0, out, (ch * oh + i) * ow + j0, j1 - j0);
      }
    return out;
  }

  /**
   * {@link #randomResizedCrop(int, int, float, float, float, float)} with area fraction in [scaleMin, 1],
   * aspect in [3/4, 4/3], the input's size.
   *
   * @param scaleMin the smallest area fraction, in (0, 1]
   * @return the transform
   */
  public static Transform randomResizedCrop(float scaleMin) {
    return randomResizedCrop(0, 0, scaleMin, 1f, 3f / 4, 4f / 3);
  }

  /**
   * A random region with area fraction in [scaleMin, scaleMax] and aspect ratio (w/h) log-uniform in
   * [ratioMin, ratioMax], resized to {@code height x width} (0, 0: the input size) with {@link Images}'
   * bilinear filter; after 10 misses, the central crop (torchvision RandomResizedCrop, same sampling).
   *
   * @param height the output height (0: the input's)
   * @param width the output width (0: the input's)
   * @param scaleMin the smallest area fraction
   * @param scaleMax the largest area fraction
   * @param ratioMin the smallest aspect ratio (w/h)
   * @param ratioMax the largest aspect ratio (w/h)
   * @return the transform
   */
  public static Transform randomResizedCrop(int height, int width, float scaleMin, float scaleMax, float ratioMin,
      float ratioMax) {
    if (height < 0 || width < 0 || (height == 0) != (width == 0))
      throw new IllegalArgumentException("randomResizedCrop: size " + height + "x" + width
          + " must be both 0 (keep the input size) or both > 0");
    if (!(0 < scaleMin && scaleMin <= scaleMax && scaleMax <= 1))
      throw new IllegalArgumentException("randomResizedCrop: scale [" + scaleMin + ", " + scaleMax
          + "] must satisfy 0 < min <= max <= 1");
    if (!(0 < ratioMin && ratioMin <= ratioMax && Float.isFinite(ratioMax)))
      throw new IllegalArgumentException("randomResizedCrop: ratio [" + ratioMin + ", " + ratioMax
          + "] must satisfy 0 < min <= max");
    return new ResizedCrop(height, width, scaleMin, scaleMax, ratioMin, ratioMax);
  }

  private record ResizedCrop(int height, int width, float scaleMin, float scaleMax, float ratioMin, float ratioMax)
      implements Transform {
    @Override
    public Tensor apply(Tensor x, Rng rng) {
      int[] s = chw("resized-crop", x);
      int c = s[0], h = s[1], w = s[2], oh = height == 0 ? h : height, ow = width == 0 ? w : width;
      int[] box = box(h, w, rng);
      float[] crop = window(x.data(), c, h, w, box[0], box[1], box[2], box[3]);
      return Tensor.of(Images.resize(crop, c, box[2], box[3], oh, ow), c, oh, ow);
    }

    // {top, left, height, width}, as torchvision RandomResizedCrop.get_params (Python's round is half-even: rint)
    private int[] box(int h, int w, Rng rng) {
      double area = (double) h * w, logLo = Math.log(ratioMin), logHi = Math.log(ratioMax);
      for (int attempt = 0; attempt < 10; attempt++) {
        double target = area * (scaleMin + (scaleMax - scaleMin) * rng.nextDouble());
        double aspect = Math.exp(logLo + (logHi - logLo) * rng.nextDouble());
        int cw = (int) Math.rint(Math.sqrt(target * aspect)), ch = (int) Math.rint(Math.sqrt(target / aspect));
        if (0 < cw && cw <= w && 0 < ch && ch <= h) return new int[] {rng.nextInt(h - ch + 1), rng.nextInt(w - cw + 1), ch, cw};
      }
      double inRatio = (double) w / h;
      int cw = w, ch = h;
      if (inRatio < ratioMin) ch = (int) Math.rint(w / (double) ratioMin);
      else if (inRatio > ratioMax) cw = (int) Math.rint(h * (double) ratioMax);
      return new int[] {(h - ch) / 2, (w - cw) / 2, ch, cw};
    }

    @Override
    public String toString() {
      return "resized-crop=" + num(scaleMin) + (scaleMax == 1f && height == 0 ? "" : ":" + num(scaleMax))
          + (height == 0 ? "" : ":" + height + "x" + width);
    }
  }

  /**
   * Shift by whole pixels, dx uniform in [-fx W, fx W] and dy in [-fy H, fy H], rounded, fill 0
   * (torchvision RandomAffine(degrees=0, translate=(fx, fy))).
   *
   * @param fx the largest horizontal shift, as a fraction of the width
   * @param fy the largest vertical shift, as a fraction of the height
   * @return the transform
   */
  public static Transform translate(float fx, float fy) {
    if (!(0 <= fx && fx <= 1 && 0 <= fy && fy <= 1))
      throw new IllegalArgumentException("translate: fractions fx=" + fx + ", fy=" + fy + " must be in [0, 1]");
    return new Translate(fx, fy);
  }

  private record Translate(float fx, float fy) implements Transform {
    @Override
    public Tensor apply(Tensor x, Rng rng) {
      int[] s = chw("translate", x);
      double mx = fx * s[2], my = fy * s[1];
      int dx = (int) Math.rint(-mx + 2 * mx * rng.nextDouble()), dy = (int) Math.rint(-my + 2 * my * rng.nextDouble());
      return Tensor.of(window(x.data(), s[0], s[1], s[2], -dy, -dx, s[1], s[2]), s);
    }

    @Override
    public String toString() {
      return "translate=" + num(fx) + (fx == fy ? "" : ":" + num(fy));
    }
  }

  // ---------------------------------------------------------------- photometric

  /**
   * Multiply by a factor uniform in [max(0, 1 - b), 1 + b], clamp to [0, 1] (torchvision
   * ColorJitter(brightness=b)).
   *
   * @param b the largest relative change
   * @return the transform
   */
  public static Transform brightness(float b) {
    if (!(b >= 0) || !Float.isFinite(b)) throw new IllegalArgumentException("brightness: b=" + b + " must be >= 0");
    return new Brightness(b);
  }

  private record Brightness(float b) implements Transform {
    @Override
    public Tensor apply(Tensor x, Rng rng) {
      int[] s = chw("brightness", x);
      double lo = Math.max(0, 1 - b), f = lo + (1 + b - lo) * rng.nextDouble();
      float[] in = x.data(), out = new float[in.length];
      for (int i = 0; i < in.length; i++) out[i] = clamp01((float) (f * in[i]));
      return Tensor.of(out, s);
    }

    @Override
    public String toString() {
      return "brightness=" + num(b);
    }
  }

  /**
   * Blend with the image's mean grey level by a factor uniform in [max(0, 1 - c), 1 + c], clamp to
   * [0, 1] (torchvision ColorJitter(contrast=c); grey of RGB is 0.2989 R + 0.587 G + 0.114 B).
   *
   * @param c the largest relative change
   * @return the transform
   */
  public static Transform contrast(float c) {
    if (!(c >= 0) || !Float.isFinite(c)) throw new IllegalArgumentException("contrast: c=" + c + " must be >= 0");
    return new Contrast(c);
  }

  private record Contrast(float c) implements Transform {
    @Override
    public Tensor apply(Tensor x, Rng rng) {
      int[] s = chw("contrast", x);
      double lo = Math.max(0, 1 - c), f = lo + (1 + c - lo) * rng.nextDouble();
      float[] in = x.data(), out = new float[in.length];
      int hw = s[1] * s[2];
      double mean = 0;
      if (s[0] == 3) {
        for (int i = 0; i < hw; i++) mean += 0.2989 * in[i] + 0.587 * in[hw + i] + 0.114 * in[2 * hw + i];
        mean /= hw;
      } else {
        for (float v : in) mean += v;
        mean /= in.length;
      }
      for (int i = 0; i < in.length; i++) out[i] = clamp01((float) (f * in[i] + (1 - f) * mean));
      return Tensor.of(out, s);
    }

    @Override
    public String toString() {
      return "contrast=" + num(c);
    }
  }

  /**
   * Zero {@code holes} squares of side {@code size} in every channel, each centred on a uniformly drawn
   * pixel and clipped at the borders (DeVries and Taylor 2017, "Improved Regularization of Convolutional
   * Neural Networks with Cutout"; rows and columns {@code centre - size/2} up to, not including,
   * {@code centre - size/2 + size}: the reference code's square for even sizes, and {@code size} wide
   * for odd sizes too).
   *
   * @param size the side of each square, in pixels
   * @param holes the number of squares
   * @return the transform
   */
  public static Transform cutout(int size, int holes) {
    if (size < 1 || holes < 1)
      throw new IllegalArgumentException("cutout: size=" + size + " and holes=" + holes + " must be >= 1");
    return new Cutout(size, holes);
  }

  private record Cutout(int size, int holes) implements Transform {
    @Override
    public Tensor apply(Tensor x, Rng rng) {
      int[] s = chw("cutout", x);
      int h = s[1], w = s[2];
      float[] out = x.toArray();
      for (int k = 0; k < holes; k++) {
        int cy = rng.nextInt(h), cx = rng.nextInt(w);
        int y0 = Math.max(0, cy - size / 2), y1 = Math.min(h, cy - size / 2 + size);
        int x0 = Math.max(0, cx - size / 2), x1 = Math.min(w, cx - size / 2 + size);
        for (int c = 0; c < s[0]; c++)
          for (int i = y0; i < y1; i++) Arrays.fill(out, (c * h + i) * w + x0, (c * h + i) * w + x1, 0f);
      }
      return Tensor.of(out, s);
    }

    @Override
    public String toString() {
      return "cutout=" + size + (holes == 1 ? "" : ":" + holes);
    }
  }

  // ---------------------------------------------------------------- command-line spelling

  private record Syntax(String usage, Function<String[], Transform> parse) {}

  private static final Map<String, Syntax> SYNTAX = new LinkedHashMap<>();

  static {
    SYNTAX.put("rotate", new Syntax("rotate=DEGREES or rotate=MIN:MAX, e.g. rotate=10", a -> {
      args(a, 1, 2);
      return a.length == 1 ? rotate(-number(a[0]), number(a[0])) : rotate(number(a[0]), number(a[1]));
    }));
    SYNTAX.put("flip", new Syntax("flip=h, flip=v or flip=hv, optionally :PROBABILITY, e.g. flip=h:0.5", a -> {
      args(a, 1, 2);
      float p = a.length == 2 ? number(a[1]) : 0.5f;
      return switch (a[0]) {
        case "h" -> hflip(p);
        case "v" -> vflip(p);
        case "hv", "vh" -> compose(hflip(p), vflip(p));
        default -> throw new IllegalArgumentException("direction \"" + a[0] + "\" is not h, v or hv");
      };
    }));
    SYNTAX.put("crop", new Syntax("crop=PADDING or crop=PADDING:HxW, e.g. crop=4", a -> {
      args(a, 1, 2);
      int[] size = a.length == 2 ? size(a[1]) : new int[2];
      return randomCrop(size[0], size[1], integer(a[0]));
    }));
    SYNTAX.put("resized-crop", new Syntax("resized-crop=MIN_SCALE[:MAX_SCALE][:HxW], e.g. resized-crop=0.08", a -> {
      args(a, 1, 3);
      int[] size = a[a.length - 1].contains("x") ? size(a[a.length - 1]) : new int[2];
      int scales = a.length - (size[0] == 0 ? 0 : 1);
      if (scales < 1) throw new IllegalArgumentException("no scale given");
      float lo = number(a[0]), hi = scales == 2 ? number(a[1]) : 1f;
      if (scales > 2) throw new IllegalArgumentException("too many values");
      return randomResizedCrop(size[0], size[1], lo, hi, 3f / 4, 4f / 3);
    }));
    SYNTAX.put("translate", new Syntax("translate=FRACTION or translate=FX:FY, e.g. translate=0.1", a -> {
      args(a, 1, 2);
      return translate(number(a[0]), number(a[a.length - 1]));
    }));
    SYNTAX.put("brightness", new Syntax("brightness=AMOUNT, e.g. brightness=0.2", a -> {
      args(a, 1, 1);
      return brightness(number(a[0]));
    }));
    SYNTAX.put("contrast", new Syntax("contrast=AMOUNT, e.g. contrast=0.2", a -> {
      args(a, 1, 1);
      return contrast(number(a[0]));
    }));
    SYNTAX.put("cutout", new Syntax("cutout=SIZE or cutout=SIZE:HOLES, e.g. cutout=8", a -> {
      args(a, 1, 2);
      return cutout(integer(a[0]), a.length == 2 ? integer(a[1]) : 1);
    }));
  }

  /**
   * The transform spelled by {@code spec}, in the grammar of this class's documentation, e.g.
   * {@code "rotate=10,flip=h,crop=4,cutout=8"}.
   *
   * @param spec comma-separated {@code NAME=VALUE} items, or {@code "none"} for the identity
   * @return the transforms, composed in the order written
   * @throws IllegalArgumentException naming the bad item and its expected spelling, or listing the known names
   */
  public static Transform parse(String spec) {
    if (spec == null || spec.isBlank())
      throw new IllegalArgumentException("--augment: empty, expected NAME=VALUE items separated by commas, e.g. "
          + "rotate=10,flip=h,crop=4 (or none)");
    if (spec.strip().equals("none")) return identity();
    List<Transform> steps = new ArrayList<>();
    for (String raw : spec.split(",", -1)) {
      String item = raw.strip();
      int eq = item.indexOf('=');
      String name = (eq < 0 ? item : item.substring(0, eq)).strip();
      Syntax syntax = SYNTAX.get(name);
      if (syntax == null)
        throw new IllegalArgumentException("--augment: unknown transform \"" + name + "\" in \"" + spec + "\"; known: "
            + String.join(", ", SYNTAX.keySet()));
      try {
        if (eq < 0) throw new IllegalArgumentException("no value");
        steps.add(syntax.parse.apply(item.substring(eq + 1).strip().split(":", -1)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--augment " + item + ": expected " + syntax.usage + " (" + e.getMessage() + ")", e);
      }
    }
    return steps.size() == 1 ? steps.get(0) : compose(steps.toArray(Transform[]::new));
  }

  private static void args(String[] a, int min, int max) {
    if (a.length < min || a.length > max)
      throw new IllegalArgumentException(a.length + " values, expected " + (min == max ? "" + min : min + " to " + max));
  }

  private static float number(String s) {
    try {
      return Float.parseFloat(s.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + s + "\" is not a number");
    }
  }

  private static int integer(String s) {
    try {
      return Integer.parseInt(s.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + s + "\" is not a whole number");
    }
  }

  private static int[] size(String s) {
    String[] hw = s.split("x", -1);
    if (hw.length != 2) throw new IllegalArgumentException("\"" + s + "\" is not a size HxW");
    return new int[] {integer(hw[0]), integer(hw[1])};
  }

  // ---------------------------------------------------------------- helpers

  private static int[] chw(String who, Tensor x) {
    if (x.rank() != 3) throw new IllegalArgumentException(who + ": expected an image [C, H, W], got " + Shape.str(x.shape()));
    return x.shape();
  }

  private static float probability(String who, float p) {
    if (!(0 <= p && p <= 1)) throw new IllegalArgumentException(who + ": probability p=" + p + " must be in [0, 1]");
    return p;
  }

  private static float clamp01(float v) {
    return Math.min(1f, Math.max(0f, v));
  }

  // Locale-independent, and "10" rather than "10.0" so a parsed spec prints as it was written.
  private static String num(float v) {
    return v == (int) v ? Integer.toString((int) v) : Float.toString(v);
  }
}
