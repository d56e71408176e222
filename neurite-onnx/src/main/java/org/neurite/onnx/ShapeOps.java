package org.neurite.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.neurite.ops.Indexing;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * ONNX operators that move or select elements: Shape, Size, Reshape, Flatten, Transpose, Squeeze,
 * Unsqueeze, Concat, Split, Slice, Gather, GatherElements, Expand, Tile, Pad, Constant,
 * ConstantOfShape, Range, Resize (and opset 9's Upsample), DepthToSpace, SpaceToDepth and OneHot. Views stay
 * views; gathers use index-select, so gradients flow to the selected elements.
 */
final class ShapeOps {
  private ShapeOps() {}

  static void register(Map<String, Ops.Maker> m) {
    m.put("Shape", ShapeOps::shape);
    m.put("Size", c -> {
      c.node.allow();
      c.inputs(1, 1);
      c.outAll(DType.INT64);
      return (Op.Single) (in, e) -> Tensor.scalar(in[0].size());
    });
    m.put("Reshape", ShapeOps::reshape);
    m.put("Flatten", ShapeOps::flatten);
    m.put("Transpose", ShapeOps::transpose);
    m.put("Squeeze", ShapeOps::squeeze);
    m.put("Unsqueeze", ShapeOps::unsqueeze);
    m.put("Concat", ShapeOps::concat);
    m.put("Split", ShapeOps::split);
    m.put("Slice", ShapeOps::slice);
    m.put("Gather", ShapeOps::gather);
    m.put("GatherElements", ShapeOps::gatherElements);
    m.put("Expand", ShapeOps::expand);
    m.put("Tile", ShapeOps::tile);
    m.put("Pad", ShapeOps::pad);
    m.put("Constant", ShapeOps::constant);
    m.put("ConstantOfShape", ShapeOps::constantOfShape);
    m.put("Range", ShapeOps::range);
    m.put("Resize", ShapeOps::resize);
    m.put("Upsample", ShapeOps::resize);   // opset 9: Resize-10 by another name (X and scales; asymmetric, floor)
    m.put("DepthToSpace", c -> blocks(c, true));
    m.put("SpaceToDepth", c -> blocks(c, false));
    m.put("OneHot", ShapeOps::oneHot);
  }

  private static Op shape(Ctx c) throws OnnxException {
    c.node.allow("start", "end");
    c.inputs(1, 1);
    c.outAll(DType.INT64);
    long start = c.node.i("start", 0), end = c.node.i("end", Long.MAX_VALUE);
    return (Op.Single) (in, e) -> {
      int[] s = in[0].shape();
      int r = s.length;
      int from = (int) Math.max(0, Math.min(r, start < 0 ? start + r : start));
      int to = (int) Math.max(0, Math.min(r, end < 0 ? end + r : end));
      return Args.vector(Arrays.copyOfRange(s, from, Math.max(from, to)));
    };
  }

  // Reshape: 0 copies the input's dimension (unless allowzero), -1 is inferred.
  private static Op reshape(Ctx c) throws OnnxException {
    c.node.allow(c.opset < 5 ? "shape" : "allowzero");   // before opset 5 the shape is an attribute
    int[] attr = c.opset < 5 ? c.node.ints("shape", new int[0], -1, Integer.MAX_VALUE) : null;
    c.inputs(attr == null ? 2 : 1, attr == null ? 2 : 1);
    boolean allowZero = c.node.i("allowzero", 0) != 0;
    return (Op.Single) (in, e) -> {
      int[] want = attr != null ? attr.clone() : Args.ints(c.node, in[1], "shape", -1, Integer.MAX_VALUE);
      int[] s = in[0].shape();
      for (int i = 0; i < want.length; i++)
        if (want[i] == 0 && !allowZero) {
          if (i >= s.length) throw c.node.error("shape " + Arrays.toString(want) + " copies dimension " + i + " of input "
              + Shape.str(s) + ", which has none");
          want[i] = s[i];
        }
      try {
        return in[0].reshape(want);
      } catch (IllegalArgumentException ex) {
        throw c.node.error("cannot reshape " + Shape.str(s) + " to " + Arrays.toString(want));
      }
    };
  }

  private static Op flatten(Ctx c) throws OnnxException {
    c.node.allow("axis");
    c.inputs(1, 1);
    long axis = c.node.i("axis", 1);
    return (Op.Single) (in, e) -> {
      int[] s = in[0].shape();
      int a = (int) (axis < 0 ? axis + s.length : axis);
      if (a < 0 || a > s.length) throw c.node.error("axis " + axis + " is out of range for shape " + Shape.str(s));
      int outer = 1, inner = 1;
      for (int i = 0; i < a; i++) outer *= s[i];
      for (int i = a; i < s.length; i++) inner *= s[i];
      return in[0].reshape(outer, inner);
    };
  }

  private static Op transpose(Ctx c) throws OnnxException {
    c.node.allow("perm");
    c.inputs(1, 1);
    int[] perm = c.node.ints("perm", null, 0, 64);
    return (Op.Single) (in, e) -> {
      int r = in[0].rank();
      int[] p = perm;
      if (p == null) {
        p = new int[r];
        for (int i = 0; i < r; i++) p[i] = r - 1 - i;
      }
      if (p.length != r) throw c.node.error("perm " + Arrays.toString(p) + " does not fit an input of rank " + r);
      return in[0].permute(p);
    };
  }

  /** Axes from the attribute (before opset 13) or the optional second input (from 13). */
  private static long[] axesArg(Ctx c, Tensor[] in, int opsetFrom, long[] attr) {
    if (c.opset >= opsetFrom) return in.length > 1 && in[1] != null ? Args.longs(c.node, in[1], "axes") : null;
    return attr;
  }

  private static Op squeeze(Ctx c) throws OnnxException {
    c.node.allow(c.opset >= 13 ? new String[0] : new String[] {"axes"});
    c.inputs(1, c.opset >= 13 ? 2 : 1);
    long[] attr = c.opset >= 13 ? null : c.node.longs("axes");
    return (Op.Single) (in, e) -> {
      long[] axes = axesArg(c, in, 13, attr);
      Tensor x = in[0];
      if (axes == null) return x.squeeze();
      int[] a = Args.axes(c.node, axes, x.rank());
      Arrays.sort(a);
      for (int i = a.length - 1; i >= 0; i--) {
        if (x.shape(a[i]) != 1) throw c.node.error("cannot squeeze axis " + a[i] + " of size " + x.shape(a[i]) + " in "
            + Args.shape(in[0]));
        x = x.squeeze(a[i]);
      }
      return x;
    };
  }

  private static Op unsqueeze(Ctx c) throws OnnxException {
    c.node.allow(c.opset >= 13 ? new String[0] : new String[] {"axes"});
    c.inputs(c.opset >= 13 ? 2 : 1, c.opset >= 13 ? 2 : 1);
    long[] attr = c.opset >= 13 ? null : c.node.longs("axes");
    if (c.opset < 13 && attr == null) throw c.error("attribute axes is required");
    return (Op.Single) (in, e) -> {
      long[] axes = axesArg(c, in, 13, attr);
      Tensor x = in[0];
      int r = x.rank() + axes.length;
      int[] a = Args.axes(c.node, axes, r);
      Arrays.sort(a);
      for (int ax : a) x = x.unsqueeze(ax);
      return x;
    };
  }

  private static Op concat(Ctx c) throws OnnxException {
    c.node.allow("axis");
    c.inputs(1, Integer.MAX_VALUE);
    if (!c.node.has("axis") && c.opset >= 4) throw c.error("attribute axis is required");
    long axis = c.node.i("axis", 1);   // opsets < 4: default 1
    return (Op.Single) (in, e) -> {
      List<Tensor> parts = new ArrayList<>();
      for (Tensor t : in) if (t != null) parts.add(t);
      if (parts.size() == 1) return parts.get(0);
      return Tensor.concat(Args.axis(c.node, axis, parts.get(0).rank()), parts.toArray(new Tensor[0]));
    };
  }

  private static Op split(Ctx c) throws OnnxException {
    boolean fromInput = c.opset >= 13;
    c.node.allow(fromInput ? (c.opset >= 18 ? new String[] {"axis", "num_outputs"} : new String[] {"axis"})
        : new String[] {"axis", "split"});
    c.inputs(1, fromInput ? 2 : 1);
    long axis = c.node.i("axis", 0);
    long[] attr = fromInput ? null : c.node.longs("split");
    int outs = c.node.outputs.length;
    long numOutputs = c.node.i("num_outputs", outs);
    return (in, e) -> {
      Tensor x = in[0];
      int a = Args.axis(c.node, axis, x.rank());
      int n = x.shape(a);
      long[] sizes = fromInput ? (in.length > 1 && in[1] != null ? Args.longs(c.node, in[1], "split") : null) : attr;
      int[] s;
      if (sizes != null) {
        s = new int[sizes.length];
        long sum = 0;
        for (int i = 0; i < s.length; i++) {
          if (sizes[i] < 0) throw c.node.error("split sizes " + Arrays.toString(sizes) + " must be >= 0");
          s[i] = (int) Math.min(sizes[i], Integer.MAX_VALUE);
          sum += sizes[i];
        }
        if (sum != n) throw c.node.error("split sizes " + Arrays.toString(sizes) + " add up to " + sum + ", axis " + a
            + " of " + Args.shape(x) + " has " + n);
      } else {
        int k = (int) numOutputs;
        if (k < 1) throw c.node.error("needs at least one output");
        int chunk = (n + k - 1) / k;   // equal parts; the last is smaller when n does not divide (opset 18)
        s = new int[k];
        for (int i = 0; i < k; i++) s[i] = Math.max(0, Math.min(chunk, n - i * chunk));
        if (c.opset < 18 && n % k != 0)
          throw c.node.error("axis " + a + " of size " + n + " does not split into " + k + " equal parts");
      }
      return x.split(a, s);
    };
  }

  // Slice: per axis start, end, step (negative steps walk backwards), clamped as the ONNX spec says.
  private static Op slice(Ctx c) throws OnnxException {
    boolean fromInput = c.opset >= 10;
    c.node.allow(fromInput ? new String[0] : new String[] {"starts", "ends", "axes"});
    c.inputs(fromInput ? 3 : 1, fromInput ? 5 : 1);
    long[] aStarts = fromInput ? null : c.node.longs("starts"), aEnds = fromInput ? null : c.node.longs("ends");
    long[] aAxes = fromInput ? null : c.node.longs("axes");
    return (Op.Single) (in, e) -> {
      Tensor x = in[0];
      long[] starts = fromInput ? Args.longs(c.node, in[1], "starts") : aStarts;
      long[] ends = fromInput ? Args.longs(c.node, in[2], "ends") : aEnds;
      long[] axes = fromInput ? (in.length > 3 && in[3] != null ? Args.longs(c.node, in[3], "axes") : null) : aAxes;
      long[] steps = fromInput && in.length > 4 && in[4] != null ? Args.longs(c.node, in[4], "steps") : null;
      if (starts == null || ends == null || starts.length != ends.length)
        throw c.node.error("starts and ends must have the same length");
      if (axes == null) axes = java.util.stream.LongStream.range(0, starts.length).toArray();
      if (axes.length != starts.length || (steps != null && steps.length != starts.length))
        throw c.node.error("starts, ends, axes and steps must have the same length");
      int[] ax = Args.axes(c.node, axes, x.rank());
      for (int i = 0; i < ax.length; i++) {
        int n = x.shape(ax[i]);
        long step = steps == null ? 1 : steps[i];
        if (step == 0) throw c.node.error("step 0 is not allowed");
        long st = starts[i] < 0 ? starts[i] + n : starts[i], en = ends[i] < 0 ? ends[i] + n : ends[i];
        if (step > 0) {
          st = Math.max(0, Math.min(n, st));
          en = Math.max(0, Math.min(n, en));
          x = x.slice(ax[i], (int) st, (int) Math.max(st, en), Args.clampInt(step));
        } else {
          st = Math.max(-1, Math.min(n - 1, st));
          en = Math.max(-1, Math.min(n - 1, en));
          List<Integer> idx = new ArrayList<>();
          for (long k = st; k > en; k += step) idx.add((int) k);
          x = x.indexSelect(ax[i], idx.stream().mapToInt(Integer::intValue).toArray());
        }
      }
      return x;
    };
  }

  // Gather: y = data[..., indices, ...] along axis; indices of any shape, negatives count from the end.
  private static Op gather(Ctx c) throws OnnxException {
    c.node.allow("axis");
    c.inputs(2, 2);
    long axis = c.node.i("axis", 0);
    return (Op.Single) (in, e) -> {
      Tensor x = in[0], idx = in[1];
      int a = Args.axis(c.node, axis, x.rank());
      int n = x.shape(a);
      int[] ix = flatIndex(c.node, idx, n);
      Tensor sel = x.indexSelect(a, ix);
      int[] xs = x.shape(), is = idx.shape();
      int[] out = new int[xs.length - 1 + is.length];
      System.arraycopy(xs, 0, out, 0, a);
      System.arraycopy(is, 0, out, a, is.length);
      System.arraycopy(xs, a + 1, out, a + is.length, xs.length - a - 1);
      return sel.reshape(out);
    };
  }

  /** Index values as ints in [0, n), negatives counted from the end; an error names the bad one. */
  static int[] flatIndex(Node node, Tensor idx, int n) {
    float[] v = idx.data();
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      float f = v[i];
      long k = (long) f;
      if (k != f) throw node.error("index " + f + " at position " + i + " is not a whole number");
      if (k < 0) k += n;
      if (k < 0 || k >= n) throw node.error("index " + (long) f + " at position " + i + " is out of range [" + -n + ", " + n + ")");
      out[i] = (int) k;
    }
    return out;
  }

  private static Op gatherElements(Ctx c) throws OnnxException {
    c.node.allow("axis");
    c.inputs(2, 2);
    long axis = c.node.i("axis", 0);
    return (Op.Single) (in, e) -> {
      Tensor x = in[0];
      int a = Args.axis(c.node, axis, x.rank());
      int[] ix = flatIndex(c.node, in[1], x.shape(a));
      float[] f = new float[ix.length];
      for (int i = 0; i < f.length; i++) f[i] = ix[i];
      return x.gather(a, Tensor.of(f, in[1].shape()));
    };
  }

  // Expand: broadcast the input and the requested shape against each other (either may have the 1s).
  private static Op expand(Ctx c) throws OnnxException {
    c.node.allow();
    c.inputs(2, 2);
    return (Op.Single) (in, e) -> {
      int[] want = Args.ints(c.node, in[1], "shape", 0, Integer.MAX_VALUE);
      int[] out = Shape.broadcast(c.node.where() + " Expand", in[0].shape(), want);
      OnnxModel.checkAlloc(c.node.where(), out);
      return in[0].expand(out);
    };
  }

  private static Op tile(Ctx c) throws OnnxException {
    c.node.allow();
    c.inputs(2, 2);
    return (Op.Single) (in, e) -> {
      Tensor x = in[0];
      int[] reps = Args.ints(c.node, in[1], "repeats", 0, Integer.MAX_VALUE);
      if (reps.length != x.rank()) throw c.node.error("repeats " + Arrays.toString(reps) + " need one value per axis of "
          + Args.shape(x));
      int[] out = x.shape();
      for (int i = 0; i < out.length; i++) out[i] = (int) Math.min(Integer.MAX_VALUE, (long) out[i] * reps[i]);
      OnnxModel.checkAlloc(c.node.where(), out);
      for (int a = 0; a < reps.length; a++) {
        if (reps[a] == 1) continue;
        int n = x.shape(a);
        int[] idx = new int[n * reps[a]];
        for (int i = 0; i < idx.length; i++) idx[i] = i % Math.max(1, n);
        x = x.indexSelect(a, idx);
      }
      return x;
    };
  }

  // Pad: constant (differentiable copy into a filled tensor), reflect and edge (index-select), wrap.
  private static Op pad(Ctx c) throws OnnxException {
    boolean fromInput = c.opset >= 11;
    c.node.allow(fromInput ? new String[] {"mode"} : new String[] {"mode", "pads", "value"});
    c.inputs(fromInput ? 2 : 1, fromInput ? 4 : 1);
    String mode = c.node.s("mode", "constant");
    if (!List.of("constant", "reflect", "edge", "wrap").contains(mode))
      throw c.error("mode \"" + mode + "\" is not supported (constant, reflect, edge, wrap)");
    long[] aPads = fromInput ? null : c.node.longs("pads");
    float aValue = fromInput ? 0f : c.node.f("value", 0f);
    return (Op.Single) (in, e) -> {
      Tensor x = in[0];
      int r = x.rank();
      long[] pads = fromInput ? Args.longs(c.node, in[1], "pads") : aPads;
      float value = fromInput ? MathOps.bound(c.node, in.length > 2 ? in[2] : null, 0f, "constant_value") : aValue;
      long[] axesL = fromInput && in.length > 3 && in[3] != null ? Args.longs(c.node, in[3], "axes") : null;
      int[] axes = axesL == null ? Args.range(0, r) : Args.axes(c.node, axesL, r);
      if (pads == null || pads.length != 2 * axes.length)
        throw c.node.error("pads " + Arrays.toString(pads) + " need 2 values per padded axis of " + Args.shape(x));
      int[] before = new int[r], after = new int[r];
      for (int i = 0; i < axes.length; i++) {
        long b = pads[i], a = pads[i + axes.length];
        if (Math.abs(b) > Integer.MAX_VALUE / 4 || Math.abs(a) > Integer.MAX_VALUE / 4)
          throw c.node.error("pads " + Arrays.toString(pads) + " are too large");
        before[axes[i]] = (int) b;
        after[axes[i]] = (int) a;
      }
      // Negative pads crop first.
      for (int d = 0; d < r; d++) {
        if (before[d] < 0 || after[d] < 0) {
          int n = x.shape(d), s = Math.max(0, -before[d]), en = n - Math.max(0, -after[d]);
          if (en < s) throw c.node.error("pads " + Arrays.toString(pads) + " crop axis " + d + " of size " + n + " below zero");
          x = x.slice(d, s, en);
          before[d] = Math.max(0, before[d]);
          after[d] = Math.max(0, after[d]);
        }
      }
      if (mode.equals("constant")) return Prims.pad(x, before, after, value);
      int[] out = x.shape();
      for (int d = 0; d < r; d++) out[d] += before[d] + after[d];
      OnnxModel.checkAlloc(c.node.where(), out);
      for (int d = 0; d < r; d++) {
        if (before[d] == 0 && after[d] == 0) continue;
        int n = x.shape(d);
        if (n == 0 || (mode.equals("reflect") && (n < 2 || before[d] >= n || after[d] >= n)))
          throw c.node.error(mode + " padding by " + before[d] + "/" + after[d] + " needs a larger axis " + d + " than " + n);
        int[] idx = new int[n + before[d] + after[d]];
        for (int i = 0; i < idx.length; i++) {
          int k = i - before[d];
          idx[i] = switch (mode) {
            case "edge" -> Math.max(0, Math.min(n - 1, k));
            case "wrap" -> Math.floorMod(k, n);
            default -> k < 0 ? -k : (k >= n ? 2 * (n - 1) - k : k);   // reflect, without repeating the edge
          };
        }
        x = x.indexSelect(d, idx);
      }
      return x;
    };
  }

  private static Op constant(Ctx c) throws OnnxException {
    c.node.allow("value", "value_float", "value_floats", "value_int", "value_ints", "value_string", "value_strings",
        "sparse_value");
    if (c.node.attrs.size() != 1) throw c.error("needs exactly one value attribute, got " + c.node.attrs.keySet());
    c.inputs(0, 0);
    Tensor t;
    DType type;
    if (c.node.has("value")) {
      TensorCodec.Decoded d = TensorCodec.decode(c.node.t("value"), null, c.node.where() + " value");
      t = d.tensor();
      type = d.type();
    } else if (c.node.has("value_float")) {
      t = Tensor.scalar(c.node.f("value_float", 0f));
      type = DType.FLOAT;
    } else if (c.node.has("value_floats")) {
      float[] v = c.node.floats("value_floats");
      t = Tensor.of(v, v.length);
      type = DType.FLOAT;
    } else if (c.node.has("value_int")) {
      t = Tensor.scalar(c.node.i("value_int", 0));
      type = DType.INT64;
    } else if (c.node.has("value_ints")) {
      t = Args.vector(c.node.longs("value_ints"));
      type = DType.INT64;
    } else {
      throw c.error("attribute " + c.node.attrs.keySet().iterator().next() + " is not supported (strings and sparse tensors)");
    }
    c.outAll(type);
    Tensor value = t;
    return (Op.Single) (in, e) -> value;
  }

  private static Op constantOfShape(Ctx c) throws OnnxException {
    c.node.allow("value");
    c.inputs(1, 1);
    float v = 0f;
    DType type = DType.FLOAT;
    if (c.node.has("value")) {
      TensorCodec.Decoded d = TensorCodec.decode(c.node.t("value"), null, c.node.where() + " value");
      if (d.tensor().size() != 1) throw c.error("value must hold one element, got " + Args.shape(d.tensor()));
      v = d.tensor().data()[0];
      type = d.type();
    }
    c.outAll(type);
    float value = v;
    return (Op.Single) (in, e) -> {
      int[] s = Args.ints(c.node, in[0], "shape", 0, Integer.MAX_VALUE);
      OnnxModel.checkAlloc(c.node.where(), s);
      return Tensor.full(value, s);
    };
  }

  private static Op range(Ctx c) throws OnnxException {
    c.node.allow();
    c.inputs(3, 3);
    return (Op.Single) (in, e) -> {
      double start = in[0].item(), limit = in[1].item(), delta = in[2].item();
      if (delta == 0) throw c.node.error("delta must not be 0");
      double n = Math.max(0, Math.ceil((limit - start) / delta));
      if (n > TensorCodec.MAX_ELEMENTS) throw c.node.error("range of " + (long) n + " elements is too large");
      OnnxModel.checkAlloc(c.node.where(), new int[] {(int) n});
      float[] out = new float[(int) n];
      for (int i = 0; i < out.length; i++) out[i] = (float) (start + i * delta);
      return Tensor.of(out, out.length);
    };
  }

  // Resize: separable, one interpolation matrix per resized axis (nearest: an index-select), so gradients flow.
  private static Op resize(Ctx c) throws OnnxException {
    c.node.allow("mode", "coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a", "exclude_outside", "extrapolation_value");
    c.inputs(c.opset >= 13 ? 1 : 2, c.opset >= 11 ? 4 : 2);
    String mode = c.node.s("mode", "nearest"), ct = c.node.s("coordinate_transformation_mode", c.opset >= 11 ? "half_pixel" : "asymmetric");
    String nm = c.node.s("nearest_mode", c.opset >= 11 ? "round_prefer_floor" : "floor");
    float a = c.node.f("cubic_coeff_a", -0.75f), ext = c.node.f("extrapolation_value", 0f);
    boolean excl = c.node.i("exclude_outside", 0) != 0;
    if (!List.of("nearest", "linear", "cubic").contains(mode) || !List.of("round_prefer_floor", "round_prefer_ceil", "floor", "ceil").contains(nm))
      throw c.error("mode \"" + mode + "\" or nearest_mode \"" + nm + "\" is not supported");
    return (Op.Single) (in, e) -> {
      Tensor x = in[0], sz = c.opset >= 11 && in.length > 3 ? in[3] : null, sc = in.length > 2 || c.opset < 11 ? in[c.opset >= 11 ? 2 : 1] : null;
      int r = x.rank();
      float[] roi = c.opset >= 11 && in[1] != null ? in[1].data() : new float[0], scales = sc == null || sc.size() == 0 ? null : sc.data();
      int[] sizes = sz == null ? null : Args.ints(c.node, sz, "sizes", 0, Integer.MAX_VALUE);
      if ((scales == null ? (sizes == null ? -1 : sizes.length) : scales.length) != r) throw c.node.error("scales or sizes need one value per axis of " + Args.shape(x));
      Tensor inside = null;
      for (int d = 0; d < r; d++) {
        int n = x.shape(d), m = sizes != null ? sizes[d] : (int) Math.floor(n * (double) scales[d]);
        double s = sizes != null ? (double) m / n : scales[d], len = n * s;   // unrounded output length
        int[] os = x.shape();
        os[d] = m;
        OnnxModel.checkAlloc(c.node.where(), os);
        if (m > 0 && n == 0) throw c.node.error("cannot resize the empty axis " + d + " of " + Args.shape(x) + " to " + m);
        if (m == n && s == 1 && !ct.equals("tf_crop_and_resize")) continue;
        float[] ok = new float[m];
        double[] pos = new double[m];
        int[] pick = new int[m];
        for (int i = 0; i < m; i++) {
          double lo = roi.length == 2 * r ? roi[d] : 0, hi = roi.length == 2 * r ? roi[d + r] : 1;
          double p = pos[i] = switch (ct) {
            case "half_pixel" -> (i + 0.5) / s - 0.5;
            case "pytorch_half_pixel" -> m > 1 ? (i + 0.5) / s - 0.5 : 0;
            case "align_corners" -> m == 1 ? 0 : i * (n - 1.0) / (len - 1);
            case "asymmetric" -> i / s;
            case "tf_half_pixel_for_nn" -> (i + 0.5) / s;
            case "tf_crop_and_resize" -> m > 1 ? lo * (n - 1) + i * (hi - lo) * (n - 1) / (len - 1) : 0.5 * (lo + hi) * (n - 1);
            default -> throw c.node.error("coordinate_transformation_mode \"" + ct + "\" is not supported");
          };
          ok[i] = p < 0 || p > n - 1 ? 0 : 1;
          double q = nm.equals("floor") ? Math.floor(p) : nm.equals("ceil") ? Math.ceil(p) : nm.equals("round_prefer_ceil") ? Math.floor(p + 0.5) : Math.ceil(p - 0.5);
          pick[i] = Math.max(0, Math.min(n - 1, (int) q));
        }
        x = mode.equals("nearest") ? x.indexSelect(d, pick) : Indexing.interpolate(x, d, pos, mode.equals("cubic"), a, excl);
        if (ct.equals("tf_crop_and_resize")) {   // 1 where the sample falls inside the input on every axis
          Tensor o = Tensor.of(ok, m);
          for (int k = d + 1; k < r; k++) o = o.unsqueeze(-1);
          inside = inside == null ? o : inside.mul(o);
        }
      }
      return inside == null ? x : x.mul(inside).add(inside.mul(-ext).add(ext));
    };
  }

  // DepthToSpace (DCR or CRD) and SpaceToDepth: a reshape, a permutation and a reshape.
  private static Op blocks(Ctx c, boolean toSpace) throws OnnxException {
    c.node.allow(toSpace ? new String[] {"blocksize", "mode"} : new String[] {"blocksize"});
    c.inputs(1, 1);
    int b = c.node.int32("blocksize", 0, 1, 1 << 16);
    boolean dcr = c.node.s("mode", "DCR").equals("DCR");
    return (Op.Single) (in, e) -> {
      int[] s = in[0].shape();
      if (s.length != 4 || (toSpace ? s[1] % (b * b) : s[2] % b + s[3] % b) != 0)
        throw c.node.error("blocksize " + b + " does not fit input " + Shape.str(s));
      if (!toSpace) return in[0].reshape(s[0], s[1], s[2] / b, b, s[3] / b, b).permute(0, 3, 5, 1, 2, 4)
          .reshape(s[0], s[1] * b * b, s[2] / b, s[3] / b);
      Tensor y = dcr ? in[0].reshape(s[0], b, b, s[1] / b / b, s[2], s[3]).permute(0, 3, 4, 1, 5, 2)
          : in[0].reshape(s[0], s[1] / b / b, b, b, s[2], s[3]).permute(0, 1, 4, 2, 5, 3);
      return y.reshape(s[0], s[1] / b / b, s[2] * b, s[3] * b);
    };
  }

  // OneHot: values[1] where the index (negatives count from the end) hits, values[0] elsewhere.
  private static Op oneHot(Ctx c) throws OnnxException {
    c.node.allow("axis");
    c.inputs(3, 3);
    long axis = c.node.i("axis", -1);
    c.out(0, c.type(2));
    return (Op.Single) (in, e) -> {
      int depth = (int) in[1].item(), r = in[0].rank() + 1, ax = Args.axis(c.node, axis, r);
      if (depth < 1 || in[2].size() != 2) throw c.node.error("needs a depth >= 1 and two values, got " + depth + " and " + Args.shape(in[2]));
      Tensor idx = in[0].add(in[0].lt(0).mul(depth)).unsqueeze(ax), hot = Tensor.arange(depth);   // negatives count from the end
      for (int k = ax + 1; k < r; k++) hot = hot.unsqueeze(-1);
      int[] out = Shape.broadcast(c.node.where(), idx.shape(), hot.shape());
      OnnxModel.checkAlloc(c.node.where(), out);
      float[] v = in[2].data();
      return idx.eq(hot).mul(v[1] - v[0]).add(v[0]);
    };
  }
}
