package org.neurite.ops;

import org.neurite.autograd.Autograd;
import org.neurite.autograd.Tape;
import org.neurite.kernels.Conv2d;
import org.neurite.kernels.ConvGeometry;
import org.neurite.kernels.Pointwise;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;
import org.neurite.tensor.Workspace;

/**
 * 2-D convolution (cross-correlation, as PyTorch's conv2d) on NCHW tensors.
 *
 * <p>Thread-safe: static methods with no shared mutable state (the graph lives in the tensors, grad mode
 * and workspaces are per thread); the tensors themselves are not thread-safe.
 */
public final class Convolution {
  private Convolution() {}

  /**
   * {@code y = conv2d(x, w) + bias}.
   *
   * <p>Shape: x {@code [N, C, H, W]}, w {@code [O, C / groups, kH, kW]}, bias {@code [O]} or null,
   * y {@code [N, O, Ho, Wo]} with {@code Ho = floor((H + 2 padH - dilH (kH - 1) - 1) / strideH) + 1}.
   */
  // y = x (*) w + b.  dx, dw, db from the kernel's backward: dx = col2im(w^T dy), dw = dy im2col(x)^T, db = sum dy.
  public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
    return conv2d(x, w, bias, stride, padding, dilation, groups, false);
  }

  /**
   * relu(conv2d(...)) as one op when {@code relu}: the kernel rectifies each share of the output while it is
   * in cache, and the op saves the separate ReLU's output array and pass; backward masks dy with y > 0
   * (the gradient at 0 is 0, as PyTorch's ReLU), then runs the convolution's backward.
   */
  public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups,
                              boolean relu) {
    if (x.rank() != 4)
      throw new IllegalArgumentException("conv2d: expected input [N, C, H, W], got " + Shape.str(x.shape())
          + (x.rank() == 3 ? ". Hint: add the batch axis: x.unsqueeze(0)" : ""));
    if (w.rank() != 4)
      throw new IllegalArgumentException("conv2d: expected weight [O, C/groups, kH, kW], got " + Shape.str(w.shape()));
    int n = x.shape(0), c = x.shape(1), o = w.shape(0);
    if (groups < 1 || c % groups != 0 || o % groups != 0 || w.shape(1) * groups != c)
      throw new IllegalArgumentException("conv2d: input " + Shape.str(x.shape()) + " and weight " + Shape.str(w.shape())
          + " with groups=" + groups + ": weight needs C/groups = " + (groups > 0 ? c / groups : "?")
          + " input channels and O divisible by groups");
    if (bias != null && (bias.rank() != 1 || bias.shape(0) != o))
      throw new IllegalArgumentException("conv2d: bias must be [" + o + "], got " + Shape.str(bias.shape()));
    ConvGeometry g = new ConvGeometry(n, c, x.shape(2), x.shape(3), o, w.shape(2), w.shape(3),
        stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1], groups);
    if (g.outH() < 1 || g.outW() < 1)
      throw new IllegalArgumentException("conv2d: input " + Shape.str(x.shape()) + " is too small for kernel "
          + w.shape(2) + "x" + w.shape(3) + " with padding " + padding[0] + "x" + padding[1] + " and dilation "
          + dilation[0] + "x" + dilation[1] + ": output would be " + g.outH() + "x" + g.outW());
    float[] xs = x.data(), ws = w.data();
    float[] y = Workspace.floats(n * o * g.outH() * g.outW());
    Conv2d.forward(g, xs, ws, bias == null ? null : bias.data(), y, relu);
    Tensor out = Tensor.of(y, n, o, g.outH(), g.outW());
    return Tape.record(relu ? "conv2d_relu" : "conv2d", out, dy -> {
      float[] dx = x.requiresGrad() ? Workspace.floats(xs.length) : null;
      float[] dw = w.requiresGrad() ? Workspace.gradient(w) : null;
      float[] db = bias != null && bias.requiresGrad() ? Workspace.gradient(bias) : null;
      float[] g0 = dy.data();
      if (relu) {   // masks dy in place when autograd hands it over
        float[] masked = Autograd.owns(dy) ? g0 : Workspace.floats(y.length);
        Pointwise.reluBackward(y, g0, masked, y.length);
        g0 = masked;
      }
      Conv2d.backward(g, xs, ws, g0, dx, dw, db);
      return new Tensor[] {
          dx == null ? null : Tensor.of(dx, x.shape()),
          dw == null ? null : Tensor.of(dw, w.shape()),
          db == null ? null : Tensor.of(db, o)};
    }, x, w, bias);
  }
}
