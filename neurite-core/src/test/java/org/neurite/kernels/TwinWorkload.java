package org.neurite.kernels;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Every kernel family on seeded random inputs with ragged sizes (odd lengths, tails shorter than a vector,
 * thin, depthwise and lane-batched convolutions), its outputs collected by name. {@link SimdTwinsTest} runs
 * it in its own JVM on the vector path and in a child JVM with {@code -Dneurite.simd=false}, and compares.
 * Sizes never depend on the vector length, so both runs compute the same things.
 */
public final class TwinWorkload {
  private final SplittableRandom rnd = new SplittableRandom(16);
  private final Map<String, float[]> out = new LinkedHashMap<>();

  public static void main(String[] args) throws IOException {
    Map<String, float[]> r = run();
    try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(Path.of(args[0])))) {
      write(r, o);
    }
    System.out.println("simd=" + Simd.ENABLED + " arrays=" + r.size());
  }

  static Map<String, float[]> run() {
    TwinWorkload w = new TwinWorkload();
    w.gemm();
    w.pointwise();
    w.conv();
    w.pool();
    w.recurrent();
    w.attention();
    return w.out;
  }

  private float[] rand(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextDouble() * 2 - 1);
    return a;
  }

  private float[] positive(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) (0.25 + rnd.nextDouble());
    return a;
  }

  private void put(String name, float[] a) {
    out.put(name, a.clone());
  }

  private void gemm() {
    int[][] shapes = {{37, 29, 53}, {67, 131, 45}, {33, 70, 129}, {70, 40, 600}, {5, 3, 7}, {9, 300, 17}};
    for (int[] s : shapes)
      for (int layout = 0; layout < 3; layout++) {
        int m = s[0], k = s[1], n = s[2];
        boolean ta = layout == 1, tb = layout == 2;
        float[] a = rand(m * k), b = rand(k * n), c = rand(m * n);
        String name = "gemm " + m + "x" + k + "x" + n + " " + layout;
        Gemm.gemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, false, c, 0, n);
        put(name, c);
        Gemm.gemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, true, c, 0, n);
        put(name + " accumulate", c);
      }
  }

  private void pointwise() {
    for (int n : new int[] {1, 7, 17, 33, 1001}) {
      float[] a = rand(n + 2), b = positive(n + 2), y = new float[n + 2];
      for (int op = Pointwise.ADD; op <= Pointwise.POW; op++)
        for (int as = 0; as <= 1; as++)
          for (int bs = 0; bs <= 1; bs++) {
            Pointwise.binary(op, op == Pointwise.POW ? b : a, 1, as, b, 2, bs, y, 1, n);
            put("binary " + op + " " + as + bs + " n=" + n, y);
          }
      float[] x = rand(n), p = positive(n), t = rand(n);
      Pointwise.axpy(n, 0.7f, x, 0, t, 0);
      put("axpy " + n, t);
      Pointwise.relu(x, y, n);
      put("relu " + n, y);
      Pointwise.clamp(x, 0, y, 1, n, -0.3f, 0.4f);
      put("clamp " + n, y);
      Pointwise.reluBackward(x, p, y, n);
      put("reluBackward " + n, y);
      Pointwise.exp(x, y, n);
      put("exp " + n, y);
      Pointwise.log(p, y, n);
      put("log " + n, y);
      Pointwise.tanh(x, y, n);
      put("tanh " + n, y);
      Pointwise.sigmoid(x, y, n);
      put("sigmoid " + n, y);
      put("sum/max/dot " + n, new float[] {Pointwise.sum(x, 0, n), Pointwise.max(x, 0, n), Pointwise.dot(x, 0, p, 0, n)});
      Pointwise.softmaxRow(x, 0, y, 1, n);
      put("softmaxRow " + n, y);
      Pointwise.logSoftmaxRow(x, 0, y, 1, n);
      put("logSoftmaxRow " + n, y);
    }
  }

  private void conv() {
    ConvGeometry[] gs = {
        new ConvGeometry(3, 1, 28, 28, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1),     // thin first layer
        new ConvGeometry(2, 3, 17, 40, 5, 5, 5, 1, 1, 2, 2, 1, 1, 1),     // thin, 3 channels
        new ConvGeometry(2, 5, 20, 21, 5, 3, 3, 1, 1, 1, 1, 1, 1, 5),     // depthwise
        new ConvGeometry(2, 6, 20, 37, 6, 3, 3, 2, 2, 1, 1, 1, 1, 6),     // depthwise, stride 2
        new ConvGeometry(35, 4, 12, 12, 10, 3, 3, 1, 1, 0, 0, 1, 1, 1),   // a batch of small images (lanes)
        new ConvGeometry(2, 7, 9, 11, 5, 3, 2, 2, 1, 1, 0, 1, 1, 1),      // general im2col
        new ConvGeometry(3, 8, 10, 10, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2),     // dilated, grouped
        new ConvGeometry(2, 9, 6, 7, 11, 1, 1, 1, 1, 0, 0, 1, 1, 1)};     // pointwise
    for (ConvGeometry g : gs) {
      int kg = g.groupInC() * g.kH() * g.kW();
      float[] x = rand(g.batch() * g.inC() * g.inH() * g.inW()), w = rand(g.outC() * kg), bias = rand(g.outC());
      float[] y = new float[g.batch() * g.outC() * g.outH() * g.outW()];
      Conv2d.forward(g, x, w, bias, y, false);
      put("conv " + g, y);
      Conv2d.forward(g, x, w, bias, y, true);
      put("conv relu " + g, y);
      float[] dy = rand(y.length), dx = new float[x.length], dw = new float[w.length], db = new float[g.outC()];
      Conv2d.backward(g, x, w, dy, dx, dw, db);
      put("conv dx " + g, dx);
      put("conv dw " + g, dw);
      put("conv db " + g, db);
    }
  }

  private void pool() {
    PoolGeometry[] gs = {new PoolGeometry(2, 3, 13, 13, 2, 2, 2, 2, 0, 0), new PoolGeometry(1, 2, 9, 70, 2, 2, 2, 2, 0, 0),
        new PoolGeometry(2, 2, 11, 12, 3, 3, 2, 2, 1, 1)};
    for (PoolGeometry g : gs) {
      float[] x = rand(g.batch() * g.channels() * g.inH() * g.inW());
      int outs = g.batch() * g.channels() * g.outH() * g.outW();
      float[] y = new float[outs], dx = new float[x.length];
      int[] at = new int[outs];
      Pool2d.maxForward(g, x, y, at);
      put("maxpool " + g, y);
      float[] atf = new float[outs];
      for (int i = 0; i < outs; i++) atf[i] = at[i];
      put("maxpool argmax " + g, atf);
      Pool2d.maxBackward(g, rand(outs), at, dx);
      put("maxpool dx " + g, dx);
      Pool2d.avgForward(g, true, x, y);
      put("avgpool " + g, y);
    }
  }

  private void recurrent() {
    for (Recurrent.Cell cell : Recurrent.Cell.values())
      for (int h : new int[] {13, 37}) {
        int n = 11, t = 4, f = 5, gh = cell.gates * h;
        Recurrent.Dims d = new Recurrent.Dims(cell, n, t, h, h == 37);
        float[] x = rand(n * t * f), wIh = scaled(rand(gh * f)), wHh = scaled(rand(gh * h)), bIh = rand(gh), bHh = rand(gh);
        float[] mask = new float[n * t];
        for (int i = 0; i < mask.length; i++) mask[i] = i % 7 == 6 ? 0f : 1f;
        float[] h0 = rand(n * h), c0 = cell == Recurrent.Cell.LSTM ? rand(n * h) : null;
        float[] y = new float[n * t * h], hT = new float[n * h], cT = new float[n * h], prev = new float[n * t * h];
        float[] act = new float[t * n * cell.saved * h];
        Recurrent.forward(d, x, f, wIh, wHh, bIh, bHh, mask, h0, c0, y, hT, cell == Recurrent.Cell.LSTM ? cT : null, prev, act);
        String name = cell + " h=" + h;
        put(name + " y", y);
        put(name + " hT", hT);
        put(name + " act", act);
        float[] dgx = new float[n * t * gh], dgh = new float[n * t * gh], dh0 = new float[n * h], dc0 = new float[n * h];
        float[] dbx = new float[gh], dbh = new float[gh];
        boolean lstm = cell == Recurrent.Cell.LSTM;
        Recurrent.backward(d, wHh, mask, prev, act, rand(n * t * h), rand(n * h), lstm ? rand(n * h) : null, dgx, dgh, dh0,
            lstm ? dc0 : null, dbx, dbh);
        put(name + " dgx", dgx);
        put(name + " dgh", dgh);
        put(name + " dh0", dh0);
        put(name + " dbx", dbx);
      }
  }

  private static float[] scaled(float[] w) {
    for (int i = 0; i < w.length; i++) w[i] *= 0.3f;
    return w;
  }

  private void attention() {
    int n = 2, heads = 2, tq = 5, s = 13, dk = 10, dv = 9;
    for (boolean causal : new boolean[] {false, true}) {
      AttentionKernels.Dims d = new AttentionKernels.Dims(n, heads, tq, s, dk, dv, 0.3f, causal, causal ? 0.1f : 0f, 7L);
      float[] q = rand(n * heads * tq * dk), k = rand(n * heads * s * dk), v = rand(n * heads * s * dv);
      float[] o = new float[n * heads * tq * dv], probs = new float[n * heads * tq * s], mean = new float[n * tq * s];
      float[] keyMask = new float[n * s];
      for (int i = 0; i < keyMask.length; i++) keyMask[i] = i % 5 == 4 ? 0f : 1f;
      var qv = new AttentionKernels.View(q, 0, heads * tq * dk, tq * dk, dk);
      var kv = new AttentionKernels.View(k, 0, heads * s * dk, s * dk, dk);
      var vv = new AttentionKernels.View(v, 0, heads * s * dv, s * dv, dv);
      var ov = new AttentionKernels.View(o, 0, heads * tq * dv, tq * dv, dv);
      AttentionKernels.forward(d, qv, kv, vv, ov, keyMask, probs, mean);
      put("attention out " + causal, o);
      put("attention probs " + causal, probs);
      put("attention mean " + causal, mean);
      float[] dOut = rand(o.length), dq = new float[q.length], dkk = new float[k.length], dvv = new float[v.length];
      AttentionKernels.backward(d, qv, kv, vv, probs, new AttentionKernels.View(dOut, 0, heads * tq * dv, tq * dv, dv),
          new AttentionKernels.View(dq, 0, heads * tq * dk, tq * dk, dk),
          new AttentionKernels.View(dkk, 0, heads * s * dk, s * dk, dk),
          new AttentionKernels.View(dvv, 0, heads * s * dv, s * dv, dv));
      put("attention dq " + causal, dq);
      put("attention dk " + causal, dkk);
      put("attention dv " + causal, dvv);
    }
    int rows = 7, in = 19, outs = 21;
    for (float p : new float[] {0f, 0.2f})
      for (boolean relu : new boolean[] {false, true}) {
        float[] x = rand(rows * in), w = rand(outs * in), b = rand(outs), y = new float[rows * outs];
        AttentionKernels.linear(x, w, b, y, rows, in, outs, relu, p, 3L);
        String name = "linear relu=" + relu + " p=" + p;
        put(name, y);
        float[] dx = new float[x.length], dw = new float[w.length], db = new float[outs];
        put(name + " dz", AttentionKernels.linearBackward(x, w, y, rand(y.length), dx, dw, db, rows, in, outs, relu, p, 3L));
        put(name + " dx", dx);
        put(name + " dw", dw);
        put(name + " db", db);
      }
    for (int dim : new int[] {7, 37}) {
      int r = 5;
      float[] x = rand(r * dim), w = rand(dim), b = rand(dim), y = new float[r * dim], mean = new float[r], rstd = new float[r];
      AttentionKernels.layerNorm(x, w, b, y, r, dim, 1e-5f, mean, rstd);
      put("layerNorm " + dim, y);
      float[] dx = new float[x.length], dw = new float[dim], db = new float[dim];
      AttentionKernels.layerNormBackward(x, w, mean, rstd, rand(y.length), dx, dw, db, r, dim);
      put("layerNorm dx " + dim, dx);
      put("layerNorm dw " + dim, dw);
      float[] sum = new float[x.length];
      AttentionKernels.addLayerNorm(x, rand(x.length), 0.25f, 9L, sum, w, b, y, r, dim, 1e-5f, mean, rstd);
      put("addLayerNorm " + dim, y);
      put("addLayerNorm sum " + dim, sum);
    }
    float[] x = rand(6 * 19), y = new float[x.length], mask = new float[2 * 19];
    for (int i = 0; i < mask.length; i++) mask[i] = i % 3 == 0 ? 0f : 1f;
    AttentionKernels.maskedSoftmax(x, y, 6, 19, mask, 3);
    put("maskedSoftmax", y);
    float[] dx = new float[x.length];
    AttentionKernels.softmaxBackward(y, rand(x.length), dx, 6, 19);
    put("softmaxBackward", dx);
    float[] m = new float[1001];
    AttentionKernels.dropoutMask(0.3f, 11L, 5, m, 0, 1001);
    put("dropoutMask (exact)", m);
    float[] dropped = new float[1001];
    AttentionKernels.applyDropout(rand(1001), dropped, 1001, 0.3f, 11L);
    put("applyDropout", dropped);
  }

  static void write(Map<String, float[]> r, OutputStream os) throws IOException {
    DataOutputStream o = new DataOutputStream(os);
    o.writeInt(r.size());
    for (var e : r.entrySet()) {
      o.writeUTF(e.getKey());
      o.writeInt(e.getValue().length);
      for (float v : e.getValue()) o.writeFloat(v);
    }
    o.flush();
  }

  static Map<String, float[]> read(InputStream is) throws IOException {
    DataInputStream in = new DataInputStream(is);
    Map<String, float[]> r = new LinkedHashMap<>();
    for (int i = 0, n = in.readInt(); i < n; i++) {
      String k = in.readUTF();
      float[] a = new float[in.readInt()];
      for (int j = 0; j < a.length; j++) a[j] = in.readFloat();
      r.put(k, a);
    }
    return r;
  }
}
