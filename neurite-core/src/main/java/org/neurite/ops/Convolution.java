package org.neurite.ops;

import java.util.Arrays;
import org.neurite.autograd.Autograd;
import org.neurite.autograd.Tape;
import org.neurite.kernels.Conv2d;
import org.neurite.kernels.ConvGeometry;
import org.neurite.kernels.Pointwise;
import org.neurite.kernels.Winograd;
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
    return conv2d(x, w, bias, plan(x.shape(), w.shape(), bias == null ? null : bias.shape(), stride, padding, dilation, groups),
        relu);
  }

  /**
   * How a convolution of one geometry runs, chosen once (a layer keeps it while its input shape stays):
   * {@link Winograd} F(2x2, 3x3) when it applies and pays off (3x3, stride 1, ungrouped, enough
   * channels; exact to a few ulps of the output); otherwise {@link Conv2d}, which picks its own direct,
   * lane or im2col + GEMM path. Training takes the same forward; the backward is always {@link Conv2d}'s
   * (it needs only x, w and dy, not how y was computed).
   */
  public record Plan(ConvGeometry geometry, boolean winograd) {
    /** Whether this plan was made for input {@code x} and weight {@code w}. */
    public boolean fits(Tensor x, Tensor w) {
      ConvGeometry g = geometry;
      return x.rank() == 4 && w.rank() == 4 && x.shape(0) == g.batch() && x.shape(1) == g.inC() && x.shape(2) == g.inH()
          && x.shape(3) == g.inW() && w.shape(0) == g.outC() && w.shape(2) == g.kH() && w.shape(3) == g.kW();
    }
  }

  /** Validates the shapes (messages name the op and both shapes) and chooses the path. */
  public static Plan plan(int[] xShape, int[] wShape, int[] biasShape, int[] stride, int[] padding, int[] dilation, int groups) {
    if (xShape.length != 4)
      throw new IllegalArgumentException("conv2d: expected input [N, C, H, W], got " + Shape.str(xShape)
          + (xShape.length == 3 ? ". Hint: add the batch axis: x.unsqueeze(0)" : ""));
    if (wShape.length != 4)
      throw new IllegalArgumentException("conv2d: expected weight [O, C/groups, kH, kW], got " + Shape.str(wShape));
    int n = xShape[0], c = xShape[1], o = wShape[0];
    if (groups < 1 || c % groups != 0 || o % groups != 0 || wShape[1] * groups != c)
      throw new IllegalArgumentException("conv2d: input " + Shape.str(xShape) + " and weight " + Shape.str(wShape)
          + " with groups=" + groups + ": weight needs C/groups = " + (groups > 0 ? c / groups : "?")
          + " input channels and O divisible by groups");
    if (biasShape != null && (biasShape.length != 1 || biasShape[0] != o))
      throw new IllegalArgumentException("conv2d: bias must be [" + o + "], got " + Shape.str(biasShape));
    ConvGeometry g = new ConvGeometry(n, c, xShape[2], xShape[3], o, wShape[2], wShape[3],
        stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1], groups);
    if (g.outH() < 1 || g.outW() < 1)
      throw new IllegalArgumentException("conv2d: input " + Shape.str(xShape) + " is too small for kernel "
          + wShape[2] + "x" + wShape[3] + " with padding " + padding[0] + "x" + padding[1] + " and dilation "
          + dilation[0] + "x" + dilation[1] + ": output would be " + g.outH() + "x" + g.outW());
    return new Plan(g, Winograd.applies(g));
  }

  /** {@code y = conv2d(x, w) + bias} (then ReLU when {@code relu}) as {@code plan} says; plan from {@link #plan}. */
  public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, Plan plan, boolean relu) {
    ConvGeometry g = plan.geometry();
    if (!plan.fits(x, w)) throw new IllegalArgumentException("conv2d: plan for " + g + " does not fit input "
        + Shape.str(x.shape()) + " and weight " + Shape.str(w.shape()));
    int n = g.batch(), o = g.outC();
    float[] xs = x.data(), ws = w.data();
    float[] y = Workspace.floats(n * o * g.outH() * g.outW());
    if (plan.winograd())
      // The weights are transformed on every call (16 O C floats, small beside the images), so a weight
      // changed in place by an optimizer or a load is never read stale.
      Winograd.forward(xs, n, g.inC(), g.inH(), g.inW(), Winograd.transformWeights(ws, o, g.inC()), o,
          bias == null ? null : bias.data(), g.padH(), g.padW(), relu ? 0f : Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, y);
    else
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

  /**
   * PyTorch's conv_transpose2d with symmetric padding: x {@code [N, Ci, H, W]}, w {@code [Ci, Co / groups,
   * kH, kW]}, y {@code [N, Co, Ho, Wo]} with {@code Ho = (H - 1) sH - 2 pH + dH (kH - 1) + 1 + outPadH}.
   */
  // It is the input gradient of the convolution g that maps y-shaped inputs to x-shaped outputs:
  // y = col2im(w^T x).  dx = conv2d(dy, w) (g's forward), dw = g's weight gradient with input dy and output gradient x.
  public static Tensor convTranspose2d(Tensor x, Tensor w, Tensor bias, int[] stride, int[] pad, int[] dil, int[] outPad, int groups) {
    if (x.rank() != 4 || w.rank() != 4)
      throw new IllegalArgumentException("conv_transpose2d: expected x [N, C, H, W] and w [C, O/groups, kH, kW], got "
          + Shape.str(x.shape()) + " and " + Shape.str(w.shape()));
    int n = x.shape(0), ci = x.shape(1), co = w.shape(1) * groups;
    if (w.shape(0) != ci || ci % groups != 0)
      throw new IllegalArgumentException("conv_transpose2d: weight " + Shape.str(w.shape()) + " does not fit input "
          + Shape.str(x.shape()) + " with groups=" + groups);
    int ho = (x.shape(2) - 1) * stride[0] - 2 * pad[0] + dil[0] * (w.shape(2) - 1) + 1 + outPad[0];
    int wo = (x.shape(3) - 1) * stride[1] - 2 * pad[1] + dil[1] * (w.shape(3) - 1) + 1 + outPad[1];
    if (ho < 1 || wo < 1) throw new IllegalArgumentException("conv_transpose2d: output would be " + ho + "x" + wo);
    ConvGeometry g = new ConvGeometry(n, co, ho, wo, ci, w.shape(2), w.shape(3), stride[0], stride[1], pad[0], pad[1],
        dil[0], dil[1], groups);
    if (g.outH() != x.shape(2) || g.outW() != x.shape(3))
      throw new IllegalArgumentException("conv_transpose2d: output padding " + Arrays.toString(outPad)
          + " must be smaller than the stride or the dilation");
    float[] xs = x.data(), ws = w.data();
    float[] y = new float[n * co * ho * wo];
    Conv2d.backward(g, y, ws, xs, y, null, null);   // y = "dx" of g for "dy" = x; g's input array is only size-checked
    if (bias != null) {
      float[] b = bias.data();
      int hw = ho * wo;
      for (int i = 0; i < n; i++)
        for (int o = 0; o < co; o++) {
          int base = (i * co + o) * hw;
          for (int k = 0; k < hw; k++) y[base + k] += b[o];
        }
    }
    Tensor out = Tensor.of(y, n, co, ho, wo);
    return Tape.record("conv_transpose2d", out, dy -> {
      float[] g2 = dy.data();
      float[] dx = x.requiresGrad() ? new float[xs.length] : null;
      float[] dw = w.requiresGrad() ? new float[ws.length] : null;
      if (dx != null) Conv2d.forward(g, g2, ws, null, dx);
      if (dw != null) Conv2d.backward(g, g2, ws, xs, null, dw, null);
      Tensor db = null;
      if (bias != null && bias.requiresGrad()) db = dy.sum(false, 0, 2, 3);
      return new Tensor[] {dx == null ? null : Tensor.of(dx, x.shape()), dw == null ? null : Tensor.of(dw, w.shape()), db};
    }, x, w, bias);
  }


  /**
   * The weights of a convolution followed by a batch norm in evaluation, as one convolution (no graph):
   * {@code w' = w * s}, {@code b' = (b - mean) * s + beta}, with {@code s = gamma / sqrt(var + eps)} per
   * output channel. w {@code [O, ...]}, b {@code [O]} or null, the rest {@code [O]}; returns {w', b'}.
   */
  public static Tensor[] foldBatchNorm(Tensor w, Tensor b, Tensor gamma, Tensor beta, Tensor mean, Tensor var, float eps) {
    int o = w.shape(0);
    float[] g = gamma.data(), bt = beta.data(), mu = mean.data(), v = var.data(), ws = w.data();
    float[] bias = b == null ? null : b.data();
    if (g.length != o || bt.length != o || mu.length != o || v.length != o)
      throw new IllegalArgumentException("batch norm parameters do not have " + o + " channels");
    float[] nw = new float[ws.length], nb = new float[o];
    int per = ws.length / o;
    for (int i = 0; i < o; i++) {
      float s = (float) (g[i] / Math.sqrt((double) v[i] + eps));
      for (int k = 0; k < per; k++) nw[i * per + k] = ws[i * per + k] * s;
      nb[i] = ((bias == null ? 0f : bias[i]) - mu[i]) * s + bt[i];
    }
    return new Tensor[] {Tensor.of(nw, w.shape()), Tensor.of(nb, o)};
  }
}
