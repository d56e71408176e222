package org.neurite.ops;

import org.neurite.autograd.Tape;
import org.neurite.kernels.Pool2d;
import org.neurite.kernels.PoolGeometry;
import org.neurite.kernels.PoolWindow;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;
import org.neurite.tensor.Workspace;

/**
 * Max and average pooling over the last two axes of NCHW tensors: PyTorch's windows, and
 * {@link #pool2d} for any window ONNX describes (ceil mode, dilation, asymmetric padding).
 *
 * <p>Thread-safe: static methods with no shared mutable state (the graph lives in the tensors, grad mode
 * and workspaces are per thread); the tensors themselves are not thread-safe.
 */
public final class Pooling {
  private Pooling() {}

  // y = max over each window; the kernel keeps the argmax.  dx = dy scattered to each window's argmax.
  public static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
    PoolGeometry g = geometry("max_pool2d", x, kernel, stride, padding);
    float[] y = Workspace.floats(g.batch() * g.channels() * g.outH() * g.outW());
    int[] argmax = Workspace.ints(y.length);
    Pool2d.maxForward(g, x.data(), y, argmax);
    Tensor out = Tensor.of(y, g.batch(), g.channels(), g.outH(), g.outW());
    return Tape.recordSaving("max_pool2d", out, new Object[] {argmax}, dy -> {
      float[] dx = Workspace.floats(x.size());
      Pool2d.maxBackward(g, dy.data(), argmax, dx);
      return new Tensor[] {Tensor.of(dx, x.shape())};
    }, x);
  }

  // y = mean over each window (padding counted when countIncludePad, PyTorch's default).  dx = dy / count per cell.
  public static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean countIncludePad) {
    PoolGeometry g = geometry("avg_pool2d", x, kernel, stride, padding);
    float[] y = Workspace.floats(g.batch() * g.channels() * g.outH() * g.outW());
    Pool2d.avgForward(g, countIncludePad, x.data(), y);
    Tensor out = Tensor.of(y, g.batch(), g.channels(), g.outH(), g.outW());
    return Tape.record("avg_pool2d", out, dy -> {
      float[] dx = Workspace.floats(x.size());
      Pool2d.avgBackward(g, countIncludePad, dy.data(), dx);
      return new Tensor[] {Tensor.of(dx, x.shape())};
    }, x);
  }

  /**
   * Max or average pooling over any {@link PoolWindow}. The op picks the loop: max pooling that records no
   * gradient takes the separable no-argmax kernel; a window {@link PoolGeometry} can describe takes the
   * loops of {@link #maxPool2d} and {@link #avgPool2d}; any other the direct general loop.
   */
  // y = max (or mean) over each window; max keeps the flat argmax.  dx = dy routed to the argmax (or spread / count).
  public static Tensor pool2d(Tensor x, PoolWindow p) {
    String op = p.max() ? "max_pool2d" : "avg_pool2d";
    if (x.rank() != 4) throw new IllegalArgumentException(op + ": expected input [N, C, H, W], got " + Shape.str(x.shape()));
    int n = x.shape(0), c = x.shape(1), h = x.shape(2), w = x.shape(3);
    int oh = p.outH(h), ow = p.outW(w);
    if (oh < 1 || ow < 1)
      throw new IllegalArgumentException(op + ": input " + h + "x" + w + " is smaller than the " + p.kh() + "x" + p.kw() + " window");
    if (p.max() && !Tape.needed(x)) {
      float[] y = Workspace.floats(n * c * oh * ow);
      Pool2d.maxNoArgmax(p, n, c, h, w, x.data(), y);
      return Tensor.of(y, n, c, oh, ow);
    }
    PoolGeometry g = p.geometry(n, c, h, w);
    if (g != null) {
      int[] k = {p.kh(), p.kw()}, s = {p.sh(), p.sw()}, pad = {p.pt(), p.pl()};
      return p.max() ? maxPool2d(x, k, s, pad) : avgPool2d(x, k, s, pad, p.countIncludePad());
    }
    float[] xs = x.data(), y = Workspace.floats(n * c * oh * ow);
    int[] arg = p.max() ? Workspace.ints(y.length) : null;
    Pool2d.windowForward(p, n, c, h, w, xs, y, arg);
    return Tape.record(op, Tensor.of(y, n, c, oh, ow), dy -> {
      float[] dx = Workspace.floats(xs.length);
      Pool2d.windowBackward(p, n, c, h, w, dy.data(), arg, dx);
      return new Tensor[] {Tensor.of(dx, x.shape())};
    }, x);
  }

  private static PoolGeometry geometry(String op, Tensor x, int[] kernel, int[] stride, int[] padding) {
    if (x.rank() != 4)
      throw new IllegalArgumentException(op + ": expected input [N, C, H, W], got " + Shape.str(x.shape()));
    return new PoolGeometry(x.shape(0), x.shape(1), x.shape(2), x.shape(3), kernel[0], kernel[1], stride[0], stride[1],
        padding[0], padding[1]);
  }
}
