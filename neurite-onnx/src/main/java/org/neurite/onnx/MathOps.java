package org.neurite.onnx;

import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import org.neurite.ops.Activations;
import org.neurite.ops.Arithmetic;
import org.neurite.ops.Indexing;
import org.neurite.tensor.Tensor;

/**
 * Elementwise ONNX operators: arithmetic with broadcasting, activations, trigonometric and hyperbolic functions,
 * comparisons and logic, Where, Trilu, Cast and the variadic Sum/Max/Min/Mean. Each maker checks the node once
 * at load time and returns the op that runs it with Neurite's differentiable ops.
 */
final class MathOps {
  private MathOps() {}

  static void register(Map<String, Ops.Maker> m) {
    m.put("Add", c -> binary(c, Tensor::add));
    m.put("Sub", c -> binary(c, Tensor::sub));
    m.put("Mul", c -> binary(c, Tensor::mul));
    m.put("Div", MathOps::div);
    m.put("Pow", MathOps::pow);
    m.put("Mod", MathOps::mod);
    m.put("Relu", c -> unary(c, Tensor::relu));
    m.put("LeakyRelu", c -> {
      c.node.allow("alpha");
      float a = c.node.f("alpha", 0.01f);
      return unaryChecked(c, x -> x.leakyRelu(a));
    });
    m.put("Sigmoid", c -> unary(c, Tensor::sigmoid));
    m.put("Tanh", c -> unary(c, Tensor::tanh));
    m.put("HardSigmoid", c -> {
      c.node.allow("alpha", "beta");
      float a = c.node.f("alpha", 0.2f), b = c.node.f("beta", 0.5f);
      return unaryChecked(c, x -> Activations.hardSigmoid(x, a, b));
    });
    m.put("HardSwish", c -> unary(c, Activations::hardSwish));
    m.put("Gelu", c -> {
      c.node.allow("approximate");
      String approx = c.node.s("approximate", "none");
      if (approx.equals("none")) return unaryChecked(c, Tensor::gelu);
      if (!approx.equals("tanh")) throw c.error("approximate=\"" + approx + "\" is not supported (none or tanh)");
      // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
      return unaryChecked(c, x -> x.mul(0.5f).mul(x.add(x.mul(x).mul(x).mul(0.044715f)).mul(0.7978845608f).tanh().add(1f)));
    });
    m.put("Elu", c -> {
      c.node.allow("alpha");
      float a = c.node.f("alpha", 1f);
      return unaryChecked(c, x -> Tensor.where(x.gt(0f), x, x.exp().sub(1f).mul(a)));
    });
    m.put("Selu", c -> {
      c.node.allow("alpha", "gamma");
      float a = c.node.f("alpha", 1.67326319217681884765625f), g = c.node.f("gamma", 1.05070102214813232421875f);
      return unaryChecked(c, x -> Tensor.where(x.gt(0f), x, x.exp().sub(1f).mul(a)).mul(g));
    });
    m.put("Softplus", c -> unary(c, Tensor::softplus));
    m.put("Softsign", c -> unary(c, x -> x.div(x.abs().add(1f))));
    m.put("PRelu", c -> {
      c.node.allow();
      c.inputs(2, 2);
      boolean old = c.opset < 7;   // before 7 a 1-D slope is per channel (axis 1)
      return (Op.Single) (in, e) -> {
        Tensor s = old && in[1].rank() == 1 && in[0].rank() > 1 ? alignAt(in[0], in[1], 1) : in[1];
        return Tensor.where(in[0].gt(0f), in[0], in[0].mul(s));
      };
    });
    m.put("Erf", c -> unary(c, Activations::erf));
    m.put("Sqrt", c -> unary(c, Tensor::sqrt));
    m.put("Exp", c -> unary(c, Tensor::exp));
    m.put("Log", c -> unary(c, Tensor::log));
    m.put("Neg", c -> unary(c, Tensor::neg));
    m.put("Abs", c -> unary(c, Tensor::abs));
    m.put("Reciprocal", c -> unary(c, x -> Tensor.scalar(1f).div(x)));
    m.put("Floor", c -> unary(c, x -> Prims.map(x, Math::floor)));
    m.put("Ceil", c -> unary(c, x -> Prims.map(x, Math::ceil)));
    m.put("Round", c -> unary(c, x -> Prims.map(x, Math::rint)));   // half to even, as ONNX
    m.put("Sign", c -> unary(c, x -> Prims.map(x, Math::signum)));
    for (Activations.Elementary f : Activations.Elementary.values())   // Sin, Cos, Tan, Asin, ..., Atanh
      m.put(f.name().charAt(0) + f.name().substring(1).toLowerCase(java.util.Locale.ROOT), c -> unary(c, f::apply));
    m.put("ThresholdedRelu", c -> {
      c.node.allow("alpha");
      float a = c.node.f("alpha", 1f);
      return unaryChecked(c, x -> Tensor.where(x.gt(a), x, Tensor.scalar(0f)));
    });
    m.put("Trilu", c -> {
      c.node.allow("upper");
      c.inputs(1, 2);
      boolean upper = c.node.i("upper", 1) != 0;
      return (Op.Single) (in, e) -> Indexing.triangle(in[0], in.length > 1 && in[1] != null ? Args.longs(c.node, in[1], "k")[0] : 0, upper);
    });
    m.put("Clip", MathOps::clip);
    m.put("Identity", c -> {
      c.node.allow();
      c.inputs(1, 1);
      return (Op.Single) (in, e) -> in[0];
    });
    m.put("Equal", c -> compare(c, Arithmetic.Cmp.EQ));
    m.put("Less", c -> compare(c, Arithmetic.Cmp.LT));
    m.put("LessOrEqual", c -> compare(c, Arithmetic.Cmp.LE));
    m.put("Greater", c -> compare(c, Arithmetic.Cmp.GT));
    m.put("GreaterOrEqual", c -> compare(c, Arithmetic.Cmp.GE));
    m.put("Not", c -> {
      c.node.allow();
      c.inputs(1, 1);
      c.outAll(DType.BOOL);
      return (Op.Single) (in, e) -> Arithmetic.compare(Arithmetic.Cmp.EQ, in[0], Tensor.scalar(0f));
    });
    m.put("And", c -> logic(c, (a, b) -> (a != 0 && b != 0)));
    m.put("Or", c -> logic(c, (a, b) -> (a != 0 || b != 0)));
    m.put("Xor", c -> logic(c, (a, b) -> (a != 0) != (b != 0)));
    m.put("Where", c -> {
      c.node.allow();
      c.inputs(3, 3);
      c.outAll(c.type(1));
      return (Op.Single) (in, e) -> Tensor.where(in[0], in[1], in[2]);
    });
    m.put("Cast", MathOps::cast);
    m.put("CastLike", c -> {
      c.node.allow("saturate");
      c.inputs(2, 2);
      DType to = c.type(1);
      c.outAll(to);
      return castTo(to);
    });
    m.put("Sum", c -> variadic(c, Tensor::add, false));
    m.put("Mean", c -> variadic(c, Tensor::add, true));
    m.put("Max", c -> variadic(c, Tensor::maximum, false));
    m.put("Min", c -> variadic(c, Tensor::minimum, false));
  }

  private static Op unary(Ctx c, UnaryOperator<Tensor> f) throws OnnxException {
    c.node.allow();
    return unaryChecked(c, f);
  }

  private static Op unaryChecked(Ctx c, UnaryOperator<Tensor> f) throws OnnxException {
    c.inputs(1, 1);
    return (Op.Single) (in, e) -> f.apply(in[0]);
  }

  private static Op binary(Ctx c, BinaryOperator<Tensor> f) throws OnnxException {
    BinaryOperator<Tensor> b = legacyB(c);
    c.inputs(2, 2);
    return (Op.Single) (in, e) -> f.apply(in[0], b.apply(in[0], in[1]));
  }

  // Opsets < 7: broadcast=1 with an axis matches B to A's dimensions from that axis on (B gains trailing 1s).
  private static BinaryOperator<Tensor> legacyB(Ctx c) throws OnnxException {
    c.node.allow(c.opset < 7 ? new String[] {"broadcast", "axis"} : new String[0]);
    if (!c.node.has("axis") || c.node.i("broadcast", 0) == 0) return (a, b) -> b;
    long axis = c.node.i("axis", 0);
    return (a, b) -> alignAt(a, b, (int) (axis < 0 ? axis + a.rank() : axis));
  }

  private static Tensor alignAt(Tensor a, Tensor b, int axis) {
    int pad = a.rank() - axis - b.rank();
    if (pad <= 0) return b;
    int[] s = java.util.Arrays.copyOf(b.shape(), b.rank() + pad);
    java.util.Arrays.fill(s, b.rank(), s.length, 1);
    return b.reshape(s);
  }

  // Integer division truncates toward zero (C's rule, which ONNX follows); float division is differentiable.
  private static Op div(Ctx c) throws OnnxException {
    BinaryOperator<Tensor> b = legacyB(c);
    c.inputs(2, 2);
    if (c.type(0).integral) {
      return (Op.Single) (in, e) -> {
        Tensor q = in[0].div(b.apply(in[0], in[1])).detach();
        for (float v : in[1].data()) if (v == 0f) throw c.node.error("integer division by zero");
        return Prims.map(q, v -> (double) (long) v);
      };
    }
    return (Op.Single) (in, e) -> in[0].div(b.apply(in[0], in[1]));
  }

  // y = x ^ p. A constant scalar exponent (x^2, x^0.5 in decomposed norms) differentiates only through x.
  private static Op pow(Ctx c) throws OnnxException {
    c.node.allow();
    c.inputs(2, 2);
    Tensor p = c.constant(1);
    if (p != null && p.size() == 1) {
      float e = p.data()[0];
      if (e == 2f) return (Op.Single) (in, x) -> in[0].mul(in[0]);
      if (e == 1f) return (Op.Single) (in, x) -> in[0];
      if (e == 0.5f) return (Op.Single) (in, x) -> in[0].sqrt();
      return (Op.Single) (in, x) -> in[0].pow(e);
    }
    return (Op.Single) (in, x) -> in[0].pow(in[1]);
  }

  private static Op mod(Ctx c) throws OnnxException {
    c.node.allow("fmod");
    c.inputs(2, 2);
    boolean fmod = c.node.i("fmod", 0) != 0;
    if (!fmod && !c.type(0).integral) throw c.error("fmod=0 is only defined for integer inputs");
    return (Op.Single) (in, e) -> {
      Tensor a = in[0].detach(), b = in[1].detach();
      Tensor q = a.div(b);
      // fmod: sign of the dividend (C's fmod); else the sign of the divisor (Python's %)
      Tensor t = Prims.map(q, v -> fmod ? (double) (long) v : Math.floor(v));
      return a.sub(t.mul(b)).detach();
    };
  }

  // y = clamp(x, min, max); min and max are inputs from opset 11 (usually constants), attributes before.
  private static Op clip(Ctx c) throws OnnxException {
    if (c.opset < 11) {
      c.node.allow("min", "max");
      c.inputs(1, 1);
      float lo = c.node.f("min", Float.NEGATIVE_INFINITY), hi = c.node.f("max", Float.POSITIVE_INFINITY);
      return (Op.Single) (in, e) -> clamp(c.node, in[0], lo, hi);
    }
    c.node.allow();
    c.inputs(1, 3);
    // Either bound may be missing: a node with only a min has two inputs.
    return (Op.Single) (in, e) -> clamp(c.node, in[0], bound(c.node, in.length > 1 ? in[1] : null, Float.NEGATIVE_INFINITY, "min"),
        bound(c.node, in.length > 2 ? in[2] : null, Float.POSITIVE_INFINITY, "max"));
  }

  /** A Clip bound from an optional scalar input. */
  static float bound(Node n, Tensor t, float def, String what) {
    if (t == null) return def;
    if (t.size() != 1) throw n.error(what + " must be a scalar, got shape " + Args.shape(t));
    return t.data()[0];
  }

  private static Tensor clamp(Node n, Tensor x, float lo, float hi) {
    if (lo > hi) {
      // ONNX: when min > max every value becomes max
      return Tensor.zerosLike(x).add(hi);
    }
    return x.clamp(lo, hi);
  }

  private static Op compare(Ctx c, Arithmetic.Cmp cmp) throws OnnxException {
    c.node.allow();
    c.inputs(2, 2);
    c.outAll(DType.BOOL);
    return (Op.Single) (in, e) -> Arithmetic.compare(cmp, in[0], in[1]);
  }

  private interface BoolOp {
    boolean apply(float a, float b);
  }

  private static Op logic(Ctx c, BoolOp f) throws OnnxException {
    c.node.allow();
    c.inputs(2, 2);
    c.outAll(DType.BOOL);
    return (Op.Single) (in, e) -> {
      int[] shape = org.neurite.tensor.Shape.broadcast(c.node.opType, in[0].shape(), in[1].shape());
      float[] a = in[0].expand(shape).data(), b = in[1].expand(shape).data();
      float[] out = new float[a.length];
      for (int i = 0; i < out.length; i++) out[i] = f.apply(a[i], b[i]) ? 1f : 0f;
      return Tensor.of(out, shape);
    };
  }

  private static Op cast(Ctx c) throws OnnxException {
    c.node.allow("to", "saturate");
    c.inputs(1, 1);
    int code = (int) c.node.i("to", -1);
    DType to = DType.of(code);
    if (to == null || !to.supported()) throw c.error("cast to type code " + code + " is not supported");
    c.outAll(to);
    return castTo(to);
  }

  // To a float type: the same values, and gradients flow. To an integer or bool type: rounded, no gradient.
  private static Op castTo(DType to) {
    if (!to.integral && to != DType.FLOAT16) return (Op.Single) (in, e) -> in[0];
    return (Op.Single) (in, e) -> Prims.map(in[0].detach(), v -> to.cast((float) v));
  }

  private static Op variadic(Ctx c, BinaryOperator<Tensor> f, boolean mean) throws OnnxException {
    c.node.allow();
    c.inputs(1, Integer.MAX_VALUE);
    return (Op.Single) (in, e) -> {
      Tensor acc = in[0];
      for (int i = 1; i < in.length; i++) acc = f.apply(acc, in[i]);
      return mean ? acc.div((float) in.length) : acc;
    };
  }
}
