package org.neurite.onnx;

import java.util.Arrays;
import java.util.Map;
import org.neurite.autograd.GradMode;
import org.neurite.autograd.Tape;
import org.neurite.kernels.Pool2d;
import org.neurite.kernels.PoolWindow;
import org.neurite.kernels.Simd;
import org.neurite.kernels.Winograd;
import org.neurite.ops.Convolution;
import org.neurite.ops.Normalization;
import org.neurite.ops.Pooling;
import org.neurite.tensor.Tensor;

/**
 * Neural-network ONNX operators: Conv, ConvTranspose, BatchNormalization, LayerNormalization,
 * InstanceNormalization, MaxPool, AveragePool, the global pools, Gemm, MatMul, Dropout, Softmax,
 * LogSoftmax, NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss. One- and two-dimensional
 * convolutions and pools (inputs of rank 3 and 4); a 1-D input runs as a 2-D one of height 1.
 *
 * <p>Inference path: a Conv whose output feeds only a BatchNormalization (and that only a Relu or a
 * constant Clip) runs as one step; with no gradient to record and in evaluation mode, the
 * normalisation is folded into the convolution's weights and the activation applied in place. In
 * training, or when a gradient is recorded, the same step runs the three ops one after the other.
 */
final class NnOps {
  private NnOps() {}

  static void register(Map<String, Ops.Maker> m) {
    m.put("Conv", c -> conv(c, null, null));
    m.put("ConvTranspose", NnOps::convTranspose);
    m.put("BatchNormalization", NnOps::batchNorm);
    m.put("LayerNormalization", NnOps::layerNorm);
    m.put("InstanceNormalization", NnOps::instanceNorm);
    m.put("MaxPool", c -> pool(c, true));
    m.put("AveragePool", c -> pool(c, false));
    m.put("GlobalAveragePool", c -> {
      c.node.allow();
      c.inputs(1, 1);
      return (Op.Single) (in, e) -> {
        if (in[0].rank() < 3) throw c.node.error("expected input [N, C, ...], got " + Args.shape(in[0]));
        return in[0].mean(true, Args.range(2, in[0].rank()));
      };
    });
    m.put("GlobalMaxPool", c -> {
      c.node.allow();
      c.inputs(1, 1);
      return (Op.Single) (in, e) -> {
        Tensor x = in[0];
        if (x.rank() < 3) throw c.node.error("expected input [N, C, ...], got " + Args.shape(x));
        int[] s = x.shape();
        int[] keep = s.clone();
        for (int i = 2; i < keep.length; i++) keep[i] = 1;
        return x.reshape(s[0], s[1], -1).max(2, true).reshape(keep);
      };
    });
    m.put("Gemm", NnOps::gemm);
    m.put("MatMul", c -> {
      c.node.allow();
      c.inputs(2, 2);
      return (Op.Single) (in, e) -> in[0].matmul(in[1]);
    });
    m.put("Dropout", NnOps::dropout);
    m.put("Softmax", c -> softmax(c, false));
    m.put("LogSoftmax", c -> softmax(c, true));
    m.put("NegativeLogLikelihoodLoss", c -> loss(c, false));
    m.put("SoftmaxCrossEntropyLoss", c -> loss(c, true));
  }

  // ---------------------------------------------------------------- convolution

  /** Spatial arguments of a Conv, ConvTranspose or pool, for 1 or 2 spatial axes. */
  record Window(int[] kernel, int[] stride, int[] dilation, int[] padBegin, int[] padEnd, String autoPad) {
    Window withKernel(int[] k) {
      return new Window(k, stride, dilation, padBegin, padEnd, autoPad);
    }

    boolean symmetric() {
      return Arrays.equals(padBegin, padEnd);
    }

    /** Pads for this input size (auto_pad SAME_* computes them from the size). */
    Window resolve(int[] in) {
      if (!autoPad.startsWith("SAME")) return this;
      int[] b = new int[in.length], e = new int[in.length];
      for (int i = 0; i < in.length; i++) {
        int out = (in[i] + stride[i] - 1) / stride[i];
        int total = Math.max(0, (out - 1) * stride[i] + (kernel[i] - 1) * dilation[i] + 1 - in[i]);
        int small = total / 2;
        b[i] = autoPad.equals("SAME_UPPER") ? small : total - small;
        e[i] = total - b[i];
      }
      return new Window(kernel, stride, dilation, b, e, "NOTSET");
    }
  }

  /** Reads kernel_shape, strides, dilations, pads and auto_pad for {@code spatial} axes. */
  static Window window(Ctx c, int spatial, int[] kernel) throws OnnxException {
    Node n = c.node;
    int[] ones = new int[spatial];
    Arrays.fill(ones, 1);
    int[] k = n.ints("kernel_shape", kernel, 1, 1 << 16);   // null: taken from the weight when the node runs
    int[] s = n.ints("strides", ones, 1, 1 << 16), d = n.ints("dilations", ones, 1, 1 << 16);
    int[] pads = n.ints("pads", new int[2 * spatial], 0, 1 << 16);
    String autoPad = n.s("auto_pad", "NOTSET");
    if (!Arrays.asList("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER").contains(autoPad))
      throw c.error("auto_pad \"" + autoPad + "\" is not supported");
    if ((k != null && k.length != spatial) || s.length != spatial || d.length != spatial || pads.length != 2 * spatial)
      throw c.error("kernel_shape " + Arrays.toString(k) + ", strides " + Arrays.toString(s) + ", dilations "
          + Arrays.toString(d) + " and pads " + Arrays.toString(pads) + " do not fit " + spatial + " spatial axes");
    if (!autoPad.equals("NOTSET") && n.has("pads") && Arrays.stream(pads).anyMatch(p -> p != 0))
      throw c.error("auto_pad " + autoPad + " and explicit pads cannot both be set");
    return new Window(k, s, d, Arrays.copyOf(pads, spatial), Arrays.copyOfRange(pads, spatial, 2 * spatial), autoPad);
  }

  /** Spatial axes of a Conv: from kernel_shape, the weight, or the other window attributes (default 2). */
  private static int spatialOf(Ctx c, int[] declared, Tensor w) throws OnnxException {
    if (declared != null) return declared.length;
    if (w != null) return w.rank() - 2;
    for (String a : new String[] {"strides", "dilations"}) {
      long[] v = c.node.longs(a);
      if (v != null) return v.length;
    }
    long[] p = c.node.longs("pads");
    return p != null ? p.length / 2 : 2;
  }

  /** The number of spatial axes an NC... input has, if this importer supports it (1 or 2). */
  static int spatial(Node n, Tensor x) {
    if (x.rank() != 3 && x.rank() != 4)
      throw n.error("expected input [N, C, L] or [N, C, H, W], got " + Args.shape(x)
          + (x.rank() == 5 ? " (3-D: Conv and pooling only)" : ""));
    return x.rank() - 2;
  }

  /** 1-D as 2-D of height 1: prepends a size-1 spatial axis to a rank-3 tensor. */
  static Tensor as2d(Tensor x) {
    return x.rank() == 3 ? x.unsqueeze(2) : x;
  }

  static Window window2d(Window w) {
    if (w.kernel.length == 2) return w;
    return new Window(new int[] {1, w.kernel[0]}, new int[] {1, w.stride[0]}, new int[] {1, w.dilation[0]},
        new int[] {0, w.padBegin[0]}, new int[] {0, w.padEnd[0]}, w.autoPad);
  }

  /** Conv (with an optional BatchNormalization and activation folded in by the graph builder). */
  static Op conv(Ctx c, BnSpec bn, Act act) throws OnnxException {
    c.node.allow("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides");
    c.inputs(2, 3);
    int group = c.node.int32("group", 1, 1, 1 << 20);
    Tensor w0 = c.constant(1);
    int[] declared = c.node.ints("kernel_shape", null, 1, 1 << 16);
    int spatial = spatialOf(c, declared, w0);
    if (spatial < 1 || spatial > 3) throw c.error(spatial + "-D convolution is not supported (1-D to 3-D are)");
    int[] wk = w0 == null ? null : Arrays.copyOfRange(w0.shape(), 2, w0.rank());
    Window win0 = window(c, spatial, declared != null ? declared : wk);
    return spatial == 3 ? conv3d(c.node, win0, group, bn, act) : new ConvOp(c.node, win0, group, bn, act);
  }

  // 3-D convolution as one 2-D convolution per output depth: the kD input planes it reads become channels
  // ([N, C, kD, H, W] as [N, C kD, H, W], matching the weight [O, C/g, kD, kH, kW] read as [O, C/g kD, kH, kW]).
  private static Op conv3d(Node node, Window win, int group, BnSpec bn, Act act) {
    return (Op.Single) (in, e) -> {
      Tensor x = in[0], w = in[1];
      if (x.rank() != 5 || w.rank() != 5) throw node.error("expected input and weight of rank 5, got " + Args.shape(x) + ", " + Args.shape(w));
      Window f = (win.kernel == null ? win.withKernel(Arrays.copyOfRange(w.shape(), 2, 5)) : win).resolve(Arrays.copyOfRange(x.shape(), 2, 5));
      Tensor xp = Prims.pad(x, new int[] {0, 0, f.padBegin[0], f.padBegin[1], f.padBegin[2]},
          new int[] {0, 0, f.padEnd[0], f.padEnd[1], f.padEnd[2]}, 0f);
      int kd = w.shape(2), sd = f.stride[0], dd = f.dilation[0], span = dd * (kd - 1) + 1, od = (xp.shape(2) - span) / sd + 1;
      if (od < 1) throw node.error("input " + Args.shape(x) + " is shallower than the kernel " + Args.shape(w));
      Tensor w2 = w.reshape(w.shape(0), -1, w.shape(3), w.shape(4));
      Tensor[] ys = new Tensor[od];
      for (int o = 0; o < od; o++)
        ys[o] = Convolution.conv2d(xp.slice(2, o * sd, o * sd + span, dd).reshape(xp.shape(0), -1, xp.shape(3), xp.shape(4)), w2,
            in.length > 2 ? in[2] : null, new int[] {f.stride[1], f.stride[2]}, new int[2], new int[] {f.dilation[1], f.dilation[2]}, group);
      Tensor y = Tensor.stack(2, ys);
      if (bn != null) y = batchNorm(bn.node, y, in[3], in[4], in[5], in[6], bn.eps, bn.momentum, e.training())[0];
      return act != null ? act.apply(y) : y;
    };
  }

  /** A BatchNormalization folded into a Conv: its four inputs follow the conv's three. */
  record BnSpec(Node node, float eps, float momentum) {}

  /** An activation folded into a Conv step: Relu, or Clip with constant bounds (ReLU6). */
  record Act(Node node, float lo, float hi) {
    Tensor apply(Tensor y) {
      return lo == 0f && hi == Float.POSITIVE_INFINITY ? y.relu() : y.clamp(lo, hi);
    }

    void applyInPlace(float[] y) {
      if (lo == 0f && hi == Float.POSITIVE_INFINITY) Prims.reluInPlace(y);
      else Prims.clampInPlace(y, lo, hi);
    }
  }

  /**
   * Add followed by Relu or ReLU6, as one step: a residual block's join. In inference, for two
   * operands of one shape, one pass over them into a recycled array; otherwise Add, then the activation.
   */
  static Op addActivation(Ctx c, Act act) throws OnnxException {
    c.node.allow();
    c.inputs(2, 2);
    return (Op.Single) (in, e) -> {
      Tensor a = in[0], b = in[1];
      if (Tape.needed(a, b) || !a.isDense() || !b.isDense() || !java.util.Arrays.equals(a.shape(), b.shape())) return act.apply(a.add(b));
      float[] y = e.buffer(a.size()), xa = a.data(), xb = b.data();
      addClamp(xa, xb, y, act.lo(), act.hi());
      return Tensor.of(y, a.shape());
    };
  }

  // y = min(hi, max(lo, a + b)); NaN stays NaN, as Relu and Clip keep it.
  static void addClamp(float[] a, float[] b, float[] y, float lo, float hi) {
    int n = y.length, i = Simd.ENABLED ? OnnxVector.addClamp(a, b, y, lo, hi) : 0;
    for (; i < n; i++) {
      float v = a[i] + b[i];
      y[i] = Float.isNaN(v) ? v : Math.min(hi, Math.max(lo, v));
    }
  }

  /** Conv, optionally followed by BatchNormalization (inputs 3..6) and an activation, as one step. */
  static final class ConvOp implements Op.Single {
    private final Node node;
    private final Window win;
    private final int group;
    private final BnSpec bn;
    private final Act act;

    ConvOp(Node node, Window win, int group, BnSpec bn, Act act) {
      this.node = node;
      this.win = win;
      this.group = group;
      this.bn = bn;
      this.act = act;
    }

    @Override
    public Tensor apply(Tensor[] in, Op.Exec e) {
      Tensor x = in[0], w = in[1], b = in.length > 2 ? in[2] : null;
      int sp = spatial(node, x);
      if (w.rank() != sp + 2)
        throw node.error("weight " + Args.shape(w) + " does not fit input " + Args.shape(x));
      if (w.shape(1) * group != x.shape(1))
        throw node.error("input " + Args.shape(x) + " has " + x.shape(1) + " channels; weight " + Args.shape(w) + " with group="
            + group + " expects " + w.shape(1) * group);
      int[] ks = Arrays.copyOfRange(w.shape(), 2, w.rank());
      Window full = win.kernel == null ? win.withKernel(ks) : win;
      if (!Arrays.equals(ks, full.kernel))
        throw node.error("kernel_shape " + Arrays.toString(full.kernel) + " differs from the weight's " + Args.shape(w));
      Window wd = window2d(full.resolve(Arrays.copyOfRange(x.shape(), 2, x.rank())));
      Tensor x2 = as2d(x), w2 = w.rank() == 3 ? w.unsqueeze(2) : w;
      if (!wd.symmetric()) {
        x2 = Prims.pad(x2, new int[] {0, 0, wd.padBegin[0], wd.padBegin[1]}, new int[] {0, 0, wd.padEnd[0], wd.padEnd[1]}, 0f);
        wd = new Window(wd.kernel, wd.stride, wd.dilation, new int[2], new int[2], "NOTSET");
      }
      Tensor y;
      boolean fast = bn == null ? !Tape.needed(x, w, b) : !e.training() && !Tape.needed(x, w, b, in[3], in[4]);
      Convolution.Plan plan = fast ? plan(x2, w2, b, wd) : null;
      boolean wino = fast && plan.winograd();
      lastKind = "[" + w2.shape(2) + "x" + w2.shape(3) + (wd.stride[0] > 1 ? "/" + wd.stride[0] : "") + (group > 1 ? " g" : "")
          + (wino && fast ? " winograd" : fast ? " im2col" : " recorded") + "]";
      if (fast && (bn != null || act != null || wino)) {
        // Inference: the normalisation folded into the weights (cached while they do not change), the
        // activation applied in place or inside the Winograd output transform.
        Derived d = derived(w2, b, in, e, wino);
        float lo = act == null ? Float.NEGATIVE_INFINITY : act.lo(), hi = act == null ? Float.POSITIVE_INFINITY : act.hi();
        if (wino) {
          int n = x2.shape(0), c = x2.shape(1), h = x2.shape(2), wi = x2.shape(3), o = w2.shape(0);
          int oh = h + 2 * wd.padBegin[0] - 2, ow = wi + 2 * wd.padBegin[1] - 2;
          OnnxModel.checkAlloc(node.where(), new int[] {n, o, oh, ow});
          float[] out = e.buffer(n * o * oh * ow);
          Winograd.forward(x2.data(), n, c, h, wi, d.winograd, o, d.bias == null ? null : d.bias.data(), wd.padBegin[0],
              wd.padBegin[1], lo, hi, out);
          y = Tensor.of(out, n, o, oh, ow);
        } else {
          y = conv2dInto(x2, d.weight, d.bias, wd, group, e);
          if (act != null) act.applyInPlace(y.storage());
        }
      } else {
        y = Convolution.conv2d(x2, w2, b, wd.stride, wd.padBegin, wd.dilation, group);
        if (bn != null) y = batchNorm(bn.node, y, in[3], in[4], in[5], in[6], bn.eps, bn.momentum, e.training())[0];
        if (act != null) y = act.apply(y);
      }
      return x.rank() == 3 ? y.squeeze(2) : y;
    }

    // Inference convolution straight into a recycled output array (Convolution.conv2d would allocate one).
    private Tensor conv2dInto(Tensor x, Tensor w, Tensor bias, Window wd, int group, Op.Exec e) {
      int n = x.shape(0), c = x.shape(1), o = w.shape(0);
      if (c % group != 0 || o % group != 0 || w.shape(1) * group != c)
        return Convolution.conv2d(x, w, bias, wd.stride, wd.padBegin, wd.dilation, group);   // let it name the mismatch
      org.neurite.kernels.ConvGeometry g = new org.neurite.kernels.ConvGeometry(n, c, x.shape(2), x.shape(3), o, w.shape(2),
          w.shape(3), wd.stride[0], wd.stride[1], wd.padBegin[0], wd.padBegin[1], wd.dilation[0], wd.dilation[1], group);
      if (g.outH() < 1 || g.outW() < 1) return Convolution.conv2d(x, w, bias, wd.stride, wd.padBegin, wd.dilation, group);
      OnnxModel.checkAlloc(node.where(), new int[] {n, o, g.outH(), g.outW()});
      float[] y = e.buffer(n * o * g.outH() * g.outW());
      org.neurite.kernels.Conv2d.forward(g, x.data(), w.data(), bias == null ? null : bias.data(), y);
      return Tensor.of(y, n, o, g.outH(), g.outW());
    }

    // The core plan (Winograd or Conv2d), made once per input shape: the node's window is fixed, and its
    // padding resolves the same way for the same input shape.
    private volatile Convolution.Plan plan;

    private Convolution.Plan plan(Tensor x2, Tensor w2, Tensor b, Window wd) {
      Convolution.Plan p = plan;
      if (p == null || !p.fits(x2, w2))
        plan = p = Convolution.plan(x2.shape(), w2.shape(), b == null ? null : b.shape(), wd.stride, wd.padBegin, wd.dilation, group);
      return p;
    }

    /** For profiles: which path the last run took, and the kernel size. */
    String kind() {
      return lastKind;
    }

    private String lastKind = "";

    /** Inference weights derived from the node's: BatchNorm folded in, Winograd-transformed; cached. */
    private record Derived(Tensor weight, Tensor bias, float[] winograd, long version, Tensor source, double fingerprint) {}

    private Derived cache;

    private Derived derived(Tensor w2, Tensor b, Tensor[] in, Op.Exec e, boolean wino) {
      double fp = fingerprint(w2) + (b == null ? 0 : fingerprint(b));
      if (bn != null) for (int k = 3; k <= 6; k++) fp += (k + 1) * fingerprint(in[k]);
      Derived c = cache;
      if (c != null && c.version == e.version() && c.source == w2 && c.fingerprint == fp && (c.winograd != null) == wino) return c;
      Tensor wf = w2, bf = b;
      if (bn != null) {
        try (var off = GradMode.off()) {
          Tensor[] f = Convolution.foldBatchNorm(w2, b, in[3], in[4], in[5], in[6], bn.eps);
          wf = f[0];
          bf = f[1];
        }
      }
      float[] u = wino ? Winograd.transformWeights(wf.data(), wf.shape(0), wf.shape(1)) : null;
      cache = new Derived(wf, bf, u, e.version(), w2, fp);
      return cache;
    }
  }

  /**
   * A cheap checksum of a tensor's values (every 61st element, and the last few), so that cached
   * derived weights are recomputed even when a tensor was changed in place behind the model's back.
   */
  static double fingerprint(Tensor t) {
    float[] a = t.storage();
    int off = t.offset(), n = t.size();
    if (!t.isContiguous()) a = t.toArray();
    if (!t.isContiguous()) off = 0;
    double s = n;
    for (int i = 0; i < n; i += 61) s += a[off + i] * (double) (i + 1);
    for (int i = Math.max(0, n - 8); i < n; i++) s += a[off + i] * (double) (i + 7);
    return s;
  }

  private static Op convTranspose(Ctx c) throws OnnxException {
    c.node.allow("auto_pad", "dilations", "group", "kernel_shape", "output_padding", "output_shape", "pads", "strides");
    c.inputs(2, 3);
    int group = c.node.int32("group", 1, 1, 1 << 20);
    Tensor w0 = c.constant(1);
    int[] declared = c.node.ints("kernel_shape", null, 1, 1 << 16);
    int spatial = spatialOf(c, declared, w0);
    if (spatial != 1 && spatial != 2) throw c.error(spatial + "-D transposed convolution is not supported");
    int[] wk = w0 == null ? null : Arrays.copyOfRange(w0.shape(), 2, w0.rank());
    Window win = window(c, spatial, declared != null ? declared : wk);
    int[] outPad = c.node.ints("output_padding", new int[spatial], 0, 1 << 16);
    int[] outShape = c.node.ints("output_shape", null, 1, Integer.MAX_VALUE);
    if (outPad.length != spatial) throw c.error("output_padding " + Arrays.toString(outPad) + " does not fit " + spatial + " axes");
    // Neither the weight nor an attribute says how many spatial axes there are (a weight fed at run
    // time): the input's rank decides, per call.
    boolean guessed = declared == null && w0 == null && c.node.longs("strides") == null && c.node.longs("dilations") == null
        && c.node.longs("pads") == null && c.node.longs("output_padding") == null;
    Window win1 = guessed ? window(c, 1, null) : null;
    return (Op.Single) (in, e) -> in[0].rank() == 3 && win1 != null
        ? convTranspose(c, in, 1, win1, new int[1], outShape, group)
        : convTranspose(c, in, spatial, win, outPad, outShape, group);
  }

  private static Tensor convTranspose(Ctx c, Tensor[] in, int spatial, Window win, int[] outPad, int[] outShape, int group) {
    Tensor x = in[0], w = in[1], b = in.length > 2 ? in[2] : null;
    spatial(c.node, x);
    int[] size = Arrays.copyOfRange(x.shape(), 2, x.rank());
    int[] k = win.kernel == null ? Arrays.copyOfRange(w.shape(), 2, w.rank()) : win.kernel;
    int[] st = win.stride, dl = win.dilation;
    int[] pb = win.padBegin.clone(), pe = win.padEnd.clone(), op = outPad.clone();
    int[] target = new int[spatial];
    for (int i = 0; i < spatial; i++) {
      int full = (size[i] - 1) * st[i] + (k[i] - 1) * dl[i] + 1;   // no padding, no output padding
      if (outShape != null || win.autoPad().startsWith("SAME")) {
        int want = outShape != null ? outShape[outShape.length - spatial + i] : size[i] * st[i];
        int total = full + op[i] - want;
        if (total < 0) { op[i] -= total; total = 0; }
        pb[i] = win.autoPad().equals("SAME_UPPER") ? total / 2 : total - total / 2;   // as the ONNX spec
        pe[i] = total - pb[i];
      }
      target[i] = full - pb[i] - pe[i] + op[i];
      if (target[i] < 1) throw c.node.error("output size " + target[i] + " along spatial axis " + i + " is < 1");
    }
    Tensor x2 = as2d(x), w2 = w.rank() == 3 ? w.unsqueeze(2) : w;
    int[] s2 = spatial == 1 ? new int[] {1, st[0]} : st, d2 = spatial == 1 ? new int[] {1, dl[0]} : dl;
    Tensor y;
    boolean simple = Arrays.equals(pb, pe);
    for (int i = 0; i < spatial; i++) simple &= op[i] < Math.max(st[i], dl[i]);
    if (x2.rank() == 4 && w2.rank() == 4) {   // the output's size, checked before the op allocates it
      int[] outDims = {x2.shape(0), w2.shape(1) * group, 1, 1};
      for (int i = 0; i < spatial; i++) outDims[4 - spatial + i] = simple ? target[i] : (size[i] - 1) * st[i] + (k[i] - 1) * dl[i] + 1;
      OnnxModel.checkAlloc("conv_transpose2d", outDims);
    }
    if (simple) {
      int[] p2 = spatial == 1 ? new int[] {0, pb[0]} : pb, o2 = spatial == 1 ? new int[] {0, op[0]} : op;
      y = Convolution.convTranspose2d(x2, w2, b, s2, p2, d2, o2, group);
    } else {
      // Asymmetric: the unpadded result, then crop (and zero-extend for large output padding), then the bias.
      y = Convolution.convTranspose2d(x2, w2, null, s2, new int[2], d2, new int[2], group);
      for (int i = 0; i < spatial; i++) {
        int axis = y.rank() - spatial + i;
        int have = y.shape(axis) - pb[i];
        y = y.slice(axis, pb[i], Math.min(y.shape(axis), pb[i] + target[i]));
        if (have < target[i]) {
          int[] before = new int[y.rank()], after = new int[y.rank()];
          after[axis] = target[i] - have;
          y = Prims.pad(y, before, after, 0f);
        }
      }
      if (b != null) y = y.add(b.reshape(1, -1, 1, 1));
    }
    return x.rank() == 3 ? y.squeeze(2) : y;
  }

  // ---------------------------------------------------------------- normalisation

  private static Op batchNorm(Ctx c) throws OnnxException {
    c.node.allow("epsilon", "momentum", "spatial", "training_mode", "is_test");   // is_test (< 7): the model's mode decides
    c.inputs(5, 5);
    if (c.node.i("spatial", 1) != 1) throw c.error("spatial=0 (per-activation statistics) is not supported");
    float eps = c.node.f("epsilon", 1e-5f), momentum = c.node.f("momentum", 0.9f);
    return (in, e) -> batchNorm(c.node, in[0], in[1], in[2], in[3], in[4], eps, momentum, e.training());
  }

  /**
   * BatchNormalization over axis 1. Evaluation: {@code (x - mean) / sqrt(var + eps) * scale + bias}
   * with the running statistics. Training (the model's mode decides, not the node's training_mode):
   * the batch's mean and biased variance, and the running statistics move toward them as
   * {@code running = momentum * running + (1 - momentum) * batch} (ONNX's momentum is 1 - PyTorch's),
   * with the unbiased variance, as PyTorch. Outputs: Y, the running mean and variance, the batch mean
   * and variance.
   */
  static Tensor[] batchNorm(Node n, Tensor x, Tensor scale, Tensor bias, Tensor mean, Tensor var, float eps, float momentum,
                            boolean training) {
    if (x.rank() < 2) throw n.error("expected input [N, C, ...], got " + Args.shape(x));
    int ch = x.shape(1);
    for (Tensor t : new Tensor[] {scale, bias, mean, var})
      if (t.size() != ch) throw n.error("parameters must have " + ch + " values (the input's channels), got " + Args.shape(t));
    int r = x.rank();
    int[] bshape = new int[r];
    Arrays.fill(bshape, 1);
    bshape[1] = ch;
    if (!training) {
      Tensor s = scale.div(var.add(eps).sqrt());
      Tensor shift = bias.sub(mean.mul(s));
      return new Tensor[] {x.mul(s.reshape(bshape)).add(shift.reshape(bshape)), mean, var};
    }
    float[][] stats = new float[2][];
    Tensor y = Normalization.batchNormTrain(x, scale.reshape(ch), bias.reshape(ch), eps, stats);
    long count = x.size() / Math.max(1, ch);
    double corr = count > 1 ? (double) count / (count - 1) : 1;
    float[] bm = stats[0].clone(), bv = stats[1].clone();
    if (mean.isDense() && var.isDense()) {
      float[] rm = mean.storage(), rv = var.storage();
      for (int i = 0; i < ch; i++) {
        rm[i] = (float) (momentum * rm[i] + (1 - momentum) * stats[0][i]);
        rv[i] = (float) (momentum * rv[i] + (1 - momentum) * stats[1][i] * corr);
      }
    }
    return new Tensor[] {y, mean, var, Tensor.of(bm, ch), Tensor.of(bv, ch)};
  }

  private static Op layerNorm(Ctx c) throws OnnxException {
    c.node.allow("axis", "epsilon", "stash_type");
    c.inputs(2, 3);
    long axis = c.node.i("axis", -1);
    float eps = c.node.f("epsilon", 1e-5f);
    return (in, e) -> {
      Tensor x = in[0];
      int a = Args.axis(c.node, axis, x.rank());
      int[] axes = Args.range(a, x.rank());
      Tensor mu = x.mean(true, axes);
      Tensor d = x.sub(mu);
      Tensor v = d.mul(d).mean(true, axes);
      Tensor inv = Tensor.scalar(1f).div(v.add(eps).sqrt());
      Tensor y = d.mul(inv).mul(in[1]);
      if (in.length > 2 && in[2] != null) y = y.add(in[2]);
      return new Tensor[] {y, mu, inv};
    };
  }

  private static Op instanceNorm(Ctx c) throws OnnxException {
    c.node.allow("epsilon");
    c.inputs(3, 3);
    float eps = c.node.f("epsilon", 1e-5f);
    return (Op.Single) (in, e) -> {
      Tensor x = in[0];
      if (x.rank() < 3) throw c.node.error("expected input [N, C, ...], got " + Args.shape(x));
      int[] axes = Args.range(2, x.rank());
      int[] bshape = new int[x.rank()];
      Arrays.fill(bshape, 1);
      bshape[1] = x.shape(1);
      Tensor d = x.sub(x.mean(true, axes));
      Tensor v = d.mul(d).mean(true, axes);
      return d.div(v.add(eps).sqrt()).mul(in[1].reshape(bshape)).add(in[2].reshape(bshape));
    };
  }

  // ---------------------------------------------------------------- pooling

  private static Op pool(Ctx c, boolean max) throws OnnxException {
    if (max) c.node.allow("auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides");
    else c.node.allow("auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides");
    c.inputs(1, 1);
    if (max && c.node.wantsOutput(1)) throw c.error("the Indices output is not supported");
    int[] k = c.node.ints("kernel_shape", null, 1, 1 << 16);
    if (k == null) throw c.error("attribute kernel_shape is required");
    if (k.length < 1 || k.length > 3) throw c.error(k.length + "-D pooling is not supported (1-D to 3-D are)");
    Window win = window(c, k.length, k);
    if (win.kernel == null) throw c.error("attribute kernel_shape is required");
    boolean ceil = c.node.i("ceil_mode", 0) != 0, countPad = c.node.i("count_include_pad", 0) != 0;
    if (k.length == 3) return pool3d(c.node, win, max, ceil, countPad);
    return (Op.Single) (in, e) -> {
      Tensor x = in[0];
      if (spatial(c.node, x) != k.length) throw c.node.error("kernel_shape " + Arrays.toString(k) + " does not fit input " + Args.shape(x));
      Window w = window2d(win.resolve(Arrays.copyOfRange(x.shape(), 2, x.rank())));
      Tensor x2 = as2d(x);
      PoolWindow p = new PoolWindow(max, w.kernel[0], w.kernel[1], w.stride[0], w.stride[1], w.dilation[0], w.dilation[1],
          w.padBegin[0], w.padBegin[1], w.padEnd[0], w.padEnd[1], ceil, countPad);
      Tensor y;
      if (max && !org.neurite.autograd.Tape.needed(x2)) {   // inference: the core kernel, into a recycled buffer
        int n = x2.shape(0), ch = x2.shape(1), h = x2.shape(2), wd = x2.shape(3), oh = p.outH(h), ow = p.outW(wd);
        if (oh < 1 || ow < 1)
          throw new IllegalArgumentException("max_pool2d: input " + h + "x" + wd + " is smaller than the " + p.kh() + "x" + p.kw()
              + " window");
        float[] out = e.buffer(n * ch * oh * ow);
        Pool2d.maxNoArgmax(p, n, ch, h, wd, x2.data(), out);
        y = Tensor.of(out, n, ch, oh, ow);
      } else {
        y = Pooling.pool2d(x2, p);
      }
      return x.rank() == 3 ? y.squeeze(2) : y;
    };
  }

  // 3-D pooling as two 2-D ones, over (H, W) with depth as channels, then over D: a box window's max and its
  // mean over valid (or all) elements both factor by axis.
  private static Op pool3d(Node node, Window win, boolean max, boolean ceil, boolean countPad) {
    return (Op.Single) (in, e) -> {
      Tensor x = in[0];
      if (x.rank() != 5) throw node.error("expected input [N, C, D, H, W], got " + Args.shape(x));
      Window w = win.resolve(Arrays.copyOfRange(x.shape(), 2, 5));
      int n = x.shape(0), ch = x.shape(1);
      Tensor y = Pooling.pool2d(x.reshape(n, -1, x.shape(3), x.shape(4)), new PoolWindow(max, w.kernel[1], w.kernel[2],
          w.stride[1], w.stride[2], w.dilation[1], w.dilation[2], w.padBegin[1], w.padBegin[2], w.padEnd[1], w.padEnd[2], ceil, countPad));
      int oh = y.shape(2), ow = y.shape(3);
      y = Pooling.pool2d(y.reshape(n, ch, x.shape(2), oh * ow), new PoolWindow(max, w.kernel[0], 1, w.stride[0], 1,
          w.dilation[0], 1, w.padBegin[0], 0, w.padEnd[0], 0, ceil, countPad));
      return y.reshape(n, ch, y.shape(2), oh, ow);
    };
  }

  // ---------------------------------------------------------------- dense

  // Gemm: y = alpha * A' B' + beta * C, with A' = A^T when transA, B' = B^T when transB.
  private static Op gemm(Ctx c) throws OnnxException {
    c.node.allow("alpha", "beta", "transA", "transB", "broadcast");
    c.inputs(2, 3);
    float alpha = c.node.f("alpha", 1f), beta = c.node.f("beta", 1f);
    boolean ta = c.node.i("transA", 0) != 0, tb = c.node.i("transB", 0) != 0;
    return (Op.Single) (in, e) -> {
      Tensor a = in[0], b = in[1];
      if (a.rank() != 2 || b.rank() != 2) throw c.node.error("expected 2-D A and B, got " + Args.shape(a) + " and " + Args.shape(b));
      Tensor y = (ta ? a.t() : a).matmul(tb ? b.t() : b);
      if (alpha != 1f) y = y.mul(alpha);
      if (in.length > 2 && in[2] != null && beta != 0f) y = y.add(beta != 1f ? in[2].mul(beta) : in[2]);
      return y;
    };
  }

  // Dropout: active only while the model trains (the node's training_mode input is ignored), as a Neurite layer.
  private static Op dropout(Ctx c) throws OnnxException {
    c.node.allow(c.opset >= 12 ? new String[] {"seed"} : new String[] {"ratio", "is_test"});
    c.inputs(1, c.opset >= 12 ? 3 : 1);
    float attrRatio = c.opset >= 12 ? 0.5f : c.node.f("ratio", 0.5f);
    if (c.node.outputs.length > 1) c.out(1, DType.BOOL);
    boolean wantMask = c.node.wantsOutput(1);
    return (in, e) -> {
      Tensor x = in[0];
      float p = c.opset >= 12 ? MathOps.bound(c.node, in.length > 1 ? in[1] : null, 0.5f, "ratio") : attrRatio;
      if (!(p >= 0f && p < 1f)) throw c.node.error("ratio " + p + " must be in [0, 1)");
      if (!e.training() || p == 0f) return wantMask ? new Tensor[] {x, Tensor.ones(x.shape())} : new Tensor[] {x};
      float scale = 1f / (1f - p);
      float[] m = new float[x.size()];
      for (int i = 0; i < m.length; i++) m[i] = e.rng().nextFloat() >= p ? scale : 0f;
      Tensor mask = Tensor.of(m, x.shape());
      Tensor y = x.mul(mask);
      return wantMask ? new Tensor[] {y, Prims.map(mask, v -> v != 0 ? 1 : 0)} : new Tensor[] {y};
    };
  }

  // Softmax along an axis (opset 13+); before 13 the input is flattened to 2-D at the axis (default 1).
  private static Op softmax(Ctx c, boolean log) throws OnnxException {
    c.node.allow("axis");
    c.inputs(1, 1);
    boolean coerce = c.opset < 13;
    long axis = c.node.i("axis", coerce ? 1 : -1);
    return (Op.Single) (in, e) -> {
      Tensor x = in[0];
      int a = Args.axis(c.node, axis, Math.max(1, x.rank()));
      if (!coerce || a == x.rank() - 1) return log ? x.logSoftmax(a) : x.softmax(a);
      int[] s = x.shape();
      int outer = 1;
      for (int i = 0; i < a; i++) outer *= s[i];
      Tensor flat = x.reshape(outer, -1);
      return (log ? flat.logSoftmax(1) : flat.softmax(1)).reshape(s);
    };
  }

  // NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss: loss[n, ...] = -sum_k m[n, k, ...] logp[n, k, ...] with the
  // constant mask m = weight[t] at k == t (0 where t is ignore_index), so the gradient flows through logp;
  // mean divides by the sum of m (the kept targets' weights). Targets: [N, d1, ...] for logp [N, C, d1, ...].
  private static Op loss(Ctx c, boolean softmax) throws OnnxException {
    c.node.allow("reduction", "ignore_index");
    c.inputs(2, 3);
    String red = c.node.s("reduction", "mean");
    if (!red.equals("none") && !red.equals("sum") && !red.equals("mean")) throw c.error("unknown reduction " + red);
    long ignore = c.node.i("ignore_index", Long.MIN_VALUE);
    return (in, e) -> {
      Tensor x = in[0], t = in[1];
      int[] s = x.shape();
      int k = x.rank() < 2 ? 0 : s[1], inner = k == 0 ? 0 : x.size() / (s[0] * k);
      if (k == 0 || t.rank() != x.rank() - 1 || t.shape(0) != s[0] || t.size() != s[0] * inner)
        throw c.node.error("expected input [N, C, d...] and target [N, d...], got " + Args.shape(x) + " and " + Args.shape(t));
      float[] lab = t.data(), w = in.length > 2 && in[2] != null ? in[2].data() : null, m = new float[x.size()];
      for (int i = 0; i < lab.length; i++) {
        long y = (long) lab[i];
        if (y == ignore) continue;
        if (y < 0 || y >= k) throw c.node.error("target " + y + " is not a class index in [0, " + k + ")");
        m[(i / inner * k + (int) y) * inner + i % inner] = w == null ? 1f : w[(int) y];
      }
      Tensor logp = softmax ? x.logSoftmax(1) : x, mask = Tensor.of(m, s), l = logp.mul(mask).sum(false, 1).neg();
      if (!red.equals("none")) l = red.equals("sum") ? l.sum() : l.sum().div(mask.sum());
      return softmax ? new Tensor[] {l, logp} : new Tensor[] {l};
    };
  }
}
