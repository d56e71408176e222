package org.neurite.kernels;

/**
 * A general 2-D pooling window over {@code [N, C, H, W]}, as ONNX's MaxPool and AveragePool describe it:
 * kernel, stride, dilation, padding (top, left, bottom, right), ceil mode, and for averages whether
 * padded cells count in the divisor. {@link PoolGeometry} is its common special case (symmetric
 * padding of at most half the kernel, no dilation, floor mode), which has faster loops.
 *
 * <p>Immutable.
 */
public record PoolWindow(boolean max, int kh, int kw, int sh, int sw, int dh, int dw, int pt, int pl, int pb, int pr,
                         boolean ceil, boolean countIncludePad) {
  public PoolWindow {
    if (kh < 1 || kw < 1 || sh < 1 || sw < 1 || dh < 1 || dw < 1 || pt < 0 || pl < 0 || pb < 0 || pr < 0)
      throw new IllegalArgumentException("pool2d: bad window " + this);
  }

  /** Output positions along an axis of {@code in} cells (0 when the window does not fit). */
  public int out(int in, int k, int s, int d, int p0, int p1) {
    int span = (k - 1) * d + 1;
    int room = in + p0 + p1 - span;
    if (room < 0) return 0;
    int o = (ceil ? (room + s - 1) / s : room / s) + 1;
    if (ceil && (o - 1) * s >= in + p0) o--;   // the last window must start inside the input or the left padding
    return o;
  }

  public int outH(int h) {
    return out(h, kh, sh, dh, pt, pb);
  }

  public int outW(int w) {
    return out(w, kw, sw, dw, pl, pr);
  }

  /** The same window as a {@link PoolGeometry} for an input of {@code h x w}, or null when that cannot describe it. */
  public PoolGeometry geometry(int n, int c, int h, int w) {
    boolean simple = pt == pb && pl == pr && dh == 1 && dw == 1 && 2 * pt <= kh && 2 * pl <= kw && h + 2 * pt >= kh
        && w + 2 * pl >= kw;
    if (!simple) return null;
    PoolGeometry g = new PoolGeometry(n, c, h, w, kh, kw, sh, sw, pt, pl);
    return g.outH() == outH(h) && g.outW() == outW(w) ? g : null;   // ceil mode that adds no window
  }

  // The average's divisor, as PyTorch: with count_include_pad the window clipped to the padded input,
  // else the cells inside the input.
  float divisor(int h, int w, int i, int j) {
    int h0 = i * sh - pt, w0 = j * sw - pl;
    int rows = 0, cols = 0;
    for (int a = 0; a < kh; a++) {
      int hh = h0 + a * dh;
      if (countIncludePad ? hh < h + pb : hh < h) rows += (countIncludePad ? hh >= -pt : hh >= 0) ? 1 : 0;
    }
    for (int b = 0; b < kw; b++) {
      int ww = w0 + b * dw;
      if (countIncludePad ? ww < w + pr : ww < w) cols += (countIncludePad ? ww >= -pl : ww >= 0) ? 1 : 0;
    }
    return Math.max(1, rows * cols);
  }
}
