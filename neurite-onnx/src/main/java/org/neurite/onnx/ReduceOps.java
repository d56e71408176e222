package org.neurite.onnx;

import java.util.Arrays;
import java.util.Map;
import java.util.function.BiFunction;
import org.neurite.ops.Reductions;
import org.neurite.tensor.Tensor;

/**
 * ONNX reductions: ReduceMean, ReduceSum, ReduceMax, ReduceMin, ReduceSumSquare, ReduceL1, ReduceL2,
 * ReduceProd, ReduceLogSum, ReduceLogSumExp, ArgMax and ArgMin; and CumSum, Hardmax and TopK along one axis. Axes come from an attribute, or from the second input (ReduceSum from opset 13,
 * the others from 18); no axes means all of them, unless noop_with_empty_axes.
 */
final class ReduceOps {
  private ReduceOps() {}

  static void register(Map<String, Ops.Maker> m) {
    m.put("ReduceMean", c -> reduce(c, 18, (x, a) -> x.mean(true, a)));
    m.put("ReduceSum", c -> reduce(c, 13, (x, a) -> x.sum(true, a)));
    m.put("ReduceSumSquare", c -> reduce(c, 18, (x, a) -> x.mul(x).sum(true, a)));
    m.put("ReduceL1", c -> reduce(c, 18, (x, a) -> x.abs().sum(true, a)));
    m.put("ReduceL2", c -> reduce(c, 18, (x, a) -> x.mul(x).sum(true, a).sqrt()));
    m.put("ReduceMax", c -> reduce(c, 18, ReduceOps::max));
    m.put("ReduceMin", c -> reduce(c, 18, (x, a) -> max(x.neg(), a).neg()));
    m.put("ReduceProd", c -> reduce(c, 18, (x, a) -> Reductions.prod(x, true, a)));
    m.put("ReduceLogSum", c -> reduce(c, 18, (x, a) -> x.sum(true, a).log()));
    m.put("ReduceLogSumExp", c -> reduce(c, 18, (x, a) -> {
      Tensor top = max(x, a).detach();   // shifted by the maximum so exp does not overflow
      return x.sub(top).exp().sum(true, a).log().add(top);
    }));
    m.put("CumSum", c -> {
      c.node.allow("exclusive", "reverse");
      c.inputs(2, 2);
      boolean excl = c.node.i("exclusive", 0) != 0, rev = c.node.i("reverse", 0) != 0;
      return (Op.Single) (in, e) -> Reductions.cumsum(in[0], Args.axis(c.node, Args.longs(c.node, in[1], "axis")[0], in[0].rank()), excl, rev);
    });
    m.put("Hardmax", c -> {   // one-hot of the first maximum; before opset 13 over the axes from axis on, flattened
      c.node.allow("axis");
      c.inputs(1, 1);
      long axis = c.node.i("axis", c.opset < 13 ? 1 : -1);
      return (Op.Single) (in, e) -> {
        int a = Args.axis(c.node, axis, in[0].rank());
        Tensor x = c.opset < 13 ? in[0].detach().flatten(a, Math.max(a, in[0].rank() - 1)) : in[0].detach(), at = x.argmax(a, true);
        return Tensor.zerosLike(x).scatterAdd(a, at, Tensor.ones(at.shape())).reshape(in[0].shape());
      };
    });
    m.put("TopK", ReduceOps::topK);
    m.put("ArgMax", c -> arg(c, false));
    m.put("ArgMin", c -> arg(c, true));
  }

  private static Tensor max(Tensor x, int[] axes) {
    for (int a : axes) x = x.max(a, true);
    return x;
  }

  private static Op topK(Ctx c) throws OnnxException {
    c.node.allow("axis", "largest", "sorted", "k");
    c.inputs(c.opset < 10 ? 1 : 2, c.opset < 10 ? 1 : 2);
    c.out(1, DType.INT64);
    long axis = c.node.i("axis", -1), kAttr = c.node.i("k", -1);
    boolean largest = c.node.i("largest", 1) != 0;
    return (in, e) -> {
      int a = Args.axis(c.node, axis, in[0].rank());
      return Reductions.topk(in[0], c.opset < 10 ? (int) kAttr : Args.ints(c.node, in[1], "k", 0, in[0].shape(a))[0], a, largest);
    };
  }

  private static Op reduce(Ctx c, int axesInputFrom, BiFunction<Tensor, int[], Tensor> f) throws OnnxException {
    boolean fromInput = c.opset >= axesInputFrom;
    c.node.allow(fromInput ? new String[] {"keepdims", "noop_with_empty_axes"} : new String[] {"axes", "keepdims"});
    c.inputs(1, fromInput ? 2 : 1);
    long[] attr = fromInput ? null : c.node.longs("axes");
    boolean keep = c.node.i("keepdims", 1) != 0, noop = c.node.i("noop_with_empty_axes", 0) != 0;
    return (Op.Single) (in, e) -> {
      Tensor x = in[0];
      long[] axes = fromInput ? (in.length > 1 && in[1] != null ? Args.longs(c.node, in[1], "axes") : null) : attr;
      if (axes == null || axes.length == 0) {
        if (noop) return x;
        axes = new long[x.rank()];
        for (int i = 0; i < axes.length; i++) axes[i] = i;
      }
      int[] a = Args.axes(c.node, axes, x.rank());
      if (a.length == 0) return x;
      Arrays.sort(a);
      Tensor y = f.apply(x, a);
      if (keep) return y;
      for (int i = a.length - 1; i >= 0; i--) y = y.squeeze(a[i]);
      return y;
    };
  }

  private static Op arg(Ctx c, boolean min) throws OnnxException {
    c.node.allow("axis", "keepdims", "select_last_index");
    c.inputs(1, 1);
    c.outAll(DType.INT64);
    long axis = c.node.i("axis", 0);
    boolean keep = c.node.i("keepdims", 1) != 0, last = c.node.i("select_last_index", 0) != 0;
    return (Op.Single) (in, e) -> {
      Tensor x = in[0].detach();
      if (min) x = x.neg();
      int a = Args.axis(c.node, axis, x.rank());
      if (last) {
        int n = x.shape(a);
        int[] rev = new int[n];
        for (int i = 0; i < n; i++) rev[i] = n - 1 - i;
        Tensor idx = x.indexSelect(a, rev).argmax(a, keep);
        return Prims.map(idx, v -> n - 1 - v);
      }
      return x.argmax(a, keep);
    };
  }
}
