package org.neurite.onnx;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.neurite.tensor.Tensor;

/**
 * ONNX's recurrent operators, LSTM, GRU and RNN, unrolled over time with Neurite ops so that they
 * train: the input projection of every step is one matrix product, then each step adds the
 * recurrent product and applies the gates. Directions forward, reverse and bidirectional; layout 0
 * ({@code [seq, batch, input]}) and 1 ({@code [batch, seq, input]}); peepholes; the default
 * activations (sigmoid and tanh) or Relu/Tanh/Sigmoid by name.
 *
 * <p>sequence_lens, as the ONNX spec says: a step at or past a sequence's length leaves its state
 * unchanged and outputs zeros, so Y_h (and Y_c) hold the state after the last real step, and the
 * reverse direction starts at each sequence's own last step. Padding is at the end (PyTorch's packed
 * sequences).
 *
 * <p>Not supported (an error naming the node): input_forget and activations that take alpha/beta.
 */
final class RnnOps {
  private RnnOps() {}

  static void register(Map<String, Ops.Maker> m) {
    m.put("LSTM", c -> rnn(c, Kind.LSTM));
    m.put("GRU", c -> rnn(c, Kind.GRU));
    m.put("RNN", c -> rnn(c, Kind.RNN));
  }

  private enum Kind {
    LSTM(4, 3), GRU(3, 2), RNN(1, 1);
    final int gates, activations;

    Kind(int gates, int activations) {
      this.gates = gates;
      this.activations = activations;
    }
  }

  private static Op rnn(Ctx c, Kind kind) throws OnnxException {
    Node n = c.node;
    if (kind == Kind.GRU) n.allow("activation_alpha", "activation_beta", "activations", "clip", "direction", "hidden_size",
        "layout", "linear_before_reset");
    else if (kind == Kind.LSTM) n.allow("activation_alpha", "activation_beta", "activations", "clip", "direction", "hidden_size",
        "input_forget", "layout");
    else n.allow("activation_alpha", "activation_beta", "activations", "clip", "direction", "hidden_size", "layout");
    c.inputs(3, kind == Kind.LSTM ? 8 : 6);
    String direction = n.s("direction", "forward");
    if (!List.of("forward", "reverse", "bidirectional").contains(direction))
      throw c.error("direction \"" + direction + "\" is not supported");
    int dirs = direction.equals("bidirectional") ? 2 : 1;
    int hidden = n.int32("hidden_size", -1, -1, 1 << 20);
    int layout = n.int32("layout", 0, 0, 1);
    float clip = n.f("clip", Float.POSITIVE_INFINITY);
    boolean linearBeforeReset = n.i("linear_before_reset", 0) != 0;
    if (n.i("input_forget", 0) != 0) throw c.error("input_forget=1 is not supported");
    if (n.has("activation_alpha") || n.has("activation_beta")) throw c.error("activation_alpha/beta are not supported");
    String[] acts = n.strings("activations");
    String[] def = kind == Kind.RNN ? new String[] {"Tanh"} : kind == Kind.GRU ? new String[] {"Sigmoid", "Tanh"}
        : new String[] {"Sigmoid", "Tanh", "Tanh"};
    if (acts == null) {
      acts = new String[def.length * dirs];
      for (int d = 0; d < dirs; d++) System.arraycopy(def, 0, acts, d * def.length, def.length);
    }
    if (acts.length != kind.activations * dirs)
      throw c.error("activations " + Arrays.toString(acts) + ": expected " + kind.activations * dirs + " names");
    @SuppressWarnings("unchecked")
    UnaryOperator<Tensor>[] f = new UnaryOperator[acts.length];
    for (int i = 0; i < acts.length; i++) f[i] = activation(c, acts[i]);
    for (int i = 1; i < c.node.outputs.length; i++) c.out(i, c.type(0));
    return (in, e) -> {
      Tensor x = in[0], w = in[1], r = in[2];
      if (layout == 1) x = x.transpose(0, 1);   // to [seq, batch, input]
      if (x.rank() != 3) throw n.error("expected X [seq, batch, input], got " + Args.shape(in[0]));
      int seq = x.shape(0), batch = x.shape(1), h = r.shape(-1);
      if (hidden >= 0 && hidden != h) throw n.error("hidden_size=" + hidden + " but R is " + Args.shape(r));
      int g = kind.gates;
      if (w.rank() != 3 || w.shape(0) != dirs || w.shape(1) != g * h || w.shape(2) != x.shape(2))
        throw n.error("W " + Args.shape(w) + " should be [" + dirs + ", " + g * h + ", " + x.shape(2) + "]");
      if (r.rank() != 3 || r.shape(0) != dirs || r.shape(1) != g * h || r.shape(2) != h)
        throw n.error("R " + Args.shape(r) + " should be [" + dirs + ", " + g * h + ", " + h + "]");
      Tensor b = in.length > 3 ? in[3] : null;
      Tensor[] live = liveSteps(n, in.length > 4 ? in[4] : null, seq, batch);   // null: every step is real
      Tensor h0 = in.length > 5 ? in[5] : null, c0 = in.length > 6 ? in[6] : null, p = in.length > 7 ? in[7] : null;
      if (layout == 1) {
        if (h0 != null) h0 = h0.transpose(0, 1);
        if (c0 != null) c0 = c0.transpose(0, 1);
      }
      Tensor[] ys = new Tensor[dirs], hs = new Tensor[dirs], cs = new Tensor[dirs];
      Tensor flat = x.reshape(seq * batch, x.shape(2));
      for (int d = 0; d < dirs; d++) {
        boolean reverse = direction.equals("reverse") || d == 1;
        Tensor wd = w.slice(0, d, d + 1).reshape(g * h, -1), rd = r.slice(0, d, d + 1).reshape(g * h, h);
        Tensor xw = flat.matmul(wd.t());
        Tensor rb = null;
        if (b != null) {
          Tensor bd = b.slice(0, d, d + 1).reshape(2 * g * h);
          Tensor wb = bd.slice(0, 0, g * h), rbias = bd.slice(0, g * h, 2 * g * h);
          if (kind == Kind.GRU && linearBeforeReset) {
            // z and r take both biases up front; the candidate's recurrent bias goes inside r * (h Rh^T + Rbh)
            xw = xw.add(wb.add(Tensor.concat(0, rbias.slice(0, 0, 2 * h), Tensor.zeros(h))));
            rb = rbias.slice(0, 2 * h, 3 * h);
          } else {
            xw = xw.add(wb.add(rbias));
          }
        }
        xw = xw.reshape(seq, batch, g * h);
        Tensor ht = h0 == null ? Tensor.zeros(batch, h) : h0.slice(0, d, d + 1).reshape(batch, h);
        Tensor ct = c0 == null ? Tensor.zeros(batch, h) : c0.slice(0, d, d + 1).reshape(batch, h);
        Tensor[] pd = p == null ? null : p.slice(0, d, d + 1).reshape(3, h).split(0, 1, 1, 1);
        int fa = d * kind.activations;
        Tensor[] out = new Tensor[seq];
        for (int s = 0; s < seq; s++) {
          int t = reverse ? seq - 1 - s : s;
          Tensor xt = xw.slice(0, t, t + 1).reshape(batch, g * h);
          Tensor hn, cn = ct;
          switch (kind) {
            case LSTM -> {
              Tensor gates = xt.add(ht.matmul(rd.t()));
              Tensor[] q = gates.split(1, h, h, h, h);   // i, o, f, c
              Tensor gi = q[0], go = q[1], gf = q[2], gc = q[3];
              if (pd != null) {
                gi = gi.add(ct.mul(pd[0].reshape(h)));
                gf = gf.add(ct.mul(pd[2].reshape(h)));
              }
              Tensor it = f[fa].apply(clip(gi, clip)), ft = f[fa].apply(clip(gf, clip)), cc = f[fa + 1].apply(clip(gc, clip));
              cn = ft.mul(ct).add(it.mul(cc));
              if (pd != null) go = go.add(cn.mul(pd[1].reshape(h)));
              Tensor ot = f[fa].apply(clip(go, clip));
              hn = ot.mul(f[fa + 2].apply(cn));
            }
            case GRU -> {
              Tensor[] xq = xt.split(1, h, h, h);   // z, r, h
              Tensor[] rq = rd.split(0, h, h, h);
              Tensor zt = f[fa].apply(clip(xq[0].add(ht.matmul(rq[0].t())), clip));
              Tensor rt = f[fa].apply(clip(xq[1].add(ht.matmul(rq[1].t())), clip));
              Tensor cand;
              if (linearBeforeReset) {
                Tensor hr = ht.matmul(rq[2].t());
                if (rb != null) hr = hr.add(rb);
                cand = xq[2].add(rt.mul(hr));
              } else {
                cand = xq[2].add(rt.mul(ht).matmul(rq[2].t()));
              }
              Tensor hh = f[fa + 1].apply(clip(cand, clip));
              hn = hh.sub(zt.mul(hh)).add(zt.mul(ht));   // (1 - z) hh + z h
            }
            default -> hn = f[fa].apply(clip(xt.add(ht.matmul(rd.t())), clip));
          }
          if (live == null) {
            ht = hn;
            ct = cn;
            out[t] = ht;
          } else {
            // Past a sequence's length: output 0, state unchanged. h = hn m + h (1 - m) is exact for m in {0, 1}.
            Tensor m = live[t], keep = live[seq + t];
            out[t] = hn.mul(m);
            ht = out[t].add(ht.mul(keep));
            if (kind == Kind.LSTM) ct = cn.mul(m).add(ct.mul(keep));
          }
        }
        ys[d] = seq == 0 ? Tensor.zeros(0, batch, h) : Tensor.stack(0, out);   // [seq, batch, h]
        hs[d] = ht;
        cs[d] = ct;
      }
      Tensor y = Tensor.stack(1, ys);          // [seq, dirs, batch, h]
      Tensor yh = Tensor.stack(0, hs), yc = Tensor.stack(0, cs);   // [dirs, batch, h]
      if (layout == 1) {
        y = y.permute(2, 0, 1, 3);             // [batch, seq, dirs, h]
        yh = yh.transpose(0, 1);
        yc = yc.transpose(0, 1);
      }
      return kind == Kind.LSTM ? new Tensor[] {y, yh, yc} : new Tensor[] {y, yh};
    };
  }

  /**
   * From sequence_lens {@code [batch]}: per step t, {@code [batch, 1]} of 1 where t is inside the sequence
   * (at [t]) and its complement (at [seq + t]); null when there are no lengths or all are the full length.
   */
  private static Tensor[] liveSteps(Node n, Tensor lens, int seq, int batch) {
    if (lens == null) return null;
    if (lens.rank() != 1 || lens.shape(0) != batch)
      throw n.error("sequence_lens should be [" + batch + "] (one length per batch row), got " + Args.shape(lens));
    float[] len = lens.data();
    boolean partial = false;
    for (int b = 0; b < batch; b++) {
      if (len[b] < 0 || len[b] > seq || len[b] != Math.rint(len[b]))
        throw n.error("sequence_lens[" + b + "] = " + len[b] + " is not a whole number in [0, " + seq + "]");
      partial |= len[b] < seq;
    }
    if (!partial) return null;
    Tensor[] live = new Tensor[2 * seq];
    for (int t = 0; t < seq; t++) {
      float[] m = new float[batch], keep = new float[batch];
      for (int b = 0; b < batch; b++) {
        m[b] = t < len[b] ? 1f : 0f;
        keep[b] = 1f - m[b];
      }
      live[t] = Tensor.of(m, batch, 1);
      live[seq + t] = Tensor.of(keep, batch, 1);
    }
    return live;
  }

  private static Tensor clip(Tensor t, float clip) {
    return clip == Float.POSITIVE_INFINITY ? t : t.clamp(-clip, clip);
  }

  private static UnaryOperator<Tensor> activation(Ctx c, String name) throws OnnxException {
    return switch (name.toLowerCase(java.util.Locale.ROOT)) {
      case "sigmoid" -> Tensor::sigmoid;
      case "tanh" -> Tensor::tanh;
      case "relu" -> Tensor::relu;
      default -> throw c.error("activation \"" + name + "\" is not supported (Sigmoid, Tanh, Relu)");
    };
  }
}
