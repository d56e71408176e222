package org.neurite.text.translate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Greedy and beam-search decoding over a batch of sentences, for any decoder that can advance a set of
 * rows by one token ({@link Stepper}): the GRU {@link Seq2Seq} and the {@link TransformerSeq2Seq}. Not a
 * network: the decoders own their state (a GRU's hidden state, a Transformer's cached keys and values) and
 * this class only chooses tokens and which rows live on.
 *
 * <p>A row is one hypothesis of one sentence. Each step runs the rows of every unfinished sentence at once
 * (one GEMM per layer for the whole batch of beams), so a test set is decoded in batches instead of one
 * sentence at a time.
 */
final class Decoding {
  private Decoding() {}

  /** One step's result: {@code logp} {@code [K, V]}, the state after it, attention {@code [K, S]} or null. */
  record Step<S>(float[] logp, S state, float[] weights, int sourceLength) {}

  /** A decoder that advances rows by one token. */
  interface Stepper<S> {
    /** Feeds {@code prev[k]} to row k, which belongs to source sentence {@code sentence[k]}. */
    Step<S> step(int[] prev, int[] sentence, S state);

    /** The state of {@code rows} (indices into the last step's rows), in that order. */
    S select(S state, int[] rows);
  }

  /**
   * Greedy decoding of {@code n} sentences whose initial state has one row each; sentence i stops at EOS
   * or after {@code maxLengths[i]} tokens. {@code sourceLengths[i]} trims the attention rows.
   */
  static <S> List<Seq2Seq.Hypothesis> greedy(Stepper<S> dec, S state, int[] sourceLengths, int[] maxLengths, int bos, int eos) {
    int n = sourceLengths.length;
    int[] prev = new int[n], sentence = new int[n];
    Arrays.fill(prev, bos);
    for (int i = 0; i < n; i++) sentence[i] = i;
    boolean[] done = new boolean[n];
    double[] score = new double[n];
    List<List<Integer>> ids = new ArrayList<>();
    List<List<float[]>> attn = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(new ArrayList<>());
      attn.add(new ArrayList<>());
      done[i] = maxLengths[i] <= 0;
    }
    // rows: the sentences still running; shrink the batch as sentences finish
    int[] rows = live(done);
    while (rows.length > 0) {
      int[] p = new int[rows.length];
      for (int r = 0; r < rows.length; r++) p[r] = prev[rows[r]];
      Step<S> st = dec.step(p, rows, state);
      int v = st.logp().length / rows.length, s = st.sourceLength();
      for (int r = 0; r < rows.length; r++) {
        int i = rows[r];
        int best = argmax(st.logp(), r * v, v);
        score[i] += st.logp()[r * v + best];
        ids.get(i).add(best);
        attn.get(i).add(st.weights() == null ? new float[0] : Arrays.copyOfRange(st.weights(), r * s, r * s + sourceLengths[i]));
        prev[i] = best;
        if (best == eos || ids.get(i).size() >= maxLengths[i]) done[i] = true;
      }
      int[] next = live(done);
      if (next.length == 0) break;
      if (next.length != rows.length) {
        int[] keep = new int[next.length];
        for (int k = 0, r = 0; r < rows.length; r++) if (!done[rows[r]]) keep[k++] = r;
        state = dec.select(st.state(), keep);
      } else state = st.state();
      rows = next;
    }
    List<Seq2Seq.Hypothesis> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++)
      out.add(new Seq2Seq.Hypothesis(ids.get(i).stream().mapToInt(Integer::intValue).toArray(), score[i],
          attn.get(i).toArray(new float[0][])));
    return out;
  }

  private static int[] live(boolean[] done) {
    int c = 0;
    for (boolean d : done) if (!d) c++;
    int[] out = new int[c];
    for (int i = 0, k = 0; i < done.length; i++) if (!done[i]) out[k++] = i;
    return out;
  }

  private static int argmax(float[] x, int from, int n) {
    int best = 0;
    for (int j = 1; j < n; j++) if (x[from + j] > x[from + best]) best = j;   // ties: the lower id, as before
    return best;
  }

  private record Beam(int[] ids, double score, List<float[]> attn) {
    Beam extend(int id, double logp, float[] w) {
      int[] x = Arrays.copyOf(ids, ids.length + 1);
      x[ids.length] = id;
      List<float[]> a = new ArrayList<>(attn);
      a.add(w);
      return new Beam(x, score + logp, a);
    }
  }

  /**
   * Beam search over {@code n} sentences at once (the initial state has one row per sentence). Per sentence it
   * keeps {@code width} live prefixes; an EOS among the best {@code width} candidates of a step finishes a
   * hypothesis; the sentence stops when {@code width} hypotheses have finished or after {@code maxLengths[i]}
   * steps (the live prefixes then count as hypotheses). The result is the hypothesis with the highest
   * {@code score / lengthPenalty(len, alpha)}, greedy's ({@code greedy.get(i)}) competing too, so that a wider
   * search never scores lower than greedy. Each sentence's search is exactly the one-sentence search.
   */
  static <S> List<Seq2Seq.Hypothesis> beam(Stepper<S> dec, S state, int[] sourceLengths, int[] maxLengths, int bos, int eos,
      int width, double alpha, List<Seq2Seq.Hypothesis> greedy) {
    int n = sourceLengths.length;
    List<List<Beam>> active = new ArrayList<>(), finished = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      active.add(maxLengths[i] > 0 ? List.of(new Beam(new int[0], 0, List.of())) : List.of());
      finished.add(new ArrayList<>());
    }
    for (int t = 0; ; t++) {
      // the rows of this step: every live beam of every running sentence, sentence by sentence
      List<Integer> sent = new ArrayList<>();
      for (int i = 0; i < n; i++) for (int b = 0; b < active.get(i).size(); b++) sent.add(i);
      if (sent.isEmpty()) break;
      int k = sent.size();
      int[] prev = new int[k], sentence = new int[k];
      for (int r = 0, i = 0; i < n; i++)
        for (Beam b : active.get(i)) {
          prev[r] = t == 0 ? bos : b.ids()[t - 1];
          sentence[r++] = i;
        }
      Step<S> st = dec.step(prev, sentence, state);
      int v = st.logp().length / k, s = st.sourceLength();
      List<Integer> parents = new ArrayList<>();
      for (int r0 = 0, i = 0; i < n; i++) {
        List<Beam> act = active.get(i);
        if (act.isEmpty()) continue;
        int[] top = topK(st.logp(), r0, act, v, Math.min(2 * width, act.size() * v));
        List<Beam> next = new ArrayList<>();
        List<Integer> par = new ArrayList<>();
        for (int r = 0; r < top.length && next.size() < width; r++) {
          int b = top[r] / v, id = top[r] % v;
          float[] w = st.weights() == null ? new float[0] : Arrays.copyOfRange(st.weights(), (r0 + b) * s, (r0 + b) * s + s);
          Beam x = act.get(b).extend(id, st.logp()[(r0 + b) * v + id], w);
          if (id == eos) {
            if (r < width) finished.get(i).add(x);
          } else {
            par.add(r0 + b);
            next.add(x);
          }
        }
        r0 += act.size();
        if (finished.get(i).size() >= width) active.set(i, List.of());
        else if (t + 1 >= maxLengths[i]) {
          finished.get(i).addAll(next);   // reached its limit unfinished
          active.set(i, List.of());
        } else {
          active.set(i, next);
          parents.addAll(par);
        }
      }
      if (parents.isEmpty()) break;
      state = dec.select(st.state(), parents.stream().mapToInt(Integer::intValue).toArray());
    }
    List<Seq2Seq.Hypothesis> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Seq2Seq.Hypothesis best = greedy.get(i);
      double bestScore = best.score() / Seq2Seq.lengthPenalty(best.ids().length, alpha);
      for (Beam b : finished.get(i)) {
        double sc = b.score() / Seq2Seq.lengthPenalty(b.ids().length, alpha);
        if (sc > bestScore) {
          bestScore = sc;
          best = new Seq2Seq.Hypothesis(b.ids(), b.score(), trim(b.attn(), sourceLengths[i]));
        }
      }
      out.add(best);
    }
    return out;
  }

  private static float[][] trim(List<float[]> rows, int len) {
    float[][] out = new float[rows.size()][];
    for (int i = 0; i < out.length; i++) out[i] = rows.get(i).length == 0 ? rows.get(i) : Arrays.copyOf(rows.get(i), len);
    return out;
  }

  // The best `keep` flat indices b*v + j over one sentence's rows [r0, r0 + active.size()), by total score
  // (higher first, then the lower index, as greedy's argmax).
  private static int[] topK(float[] logp, int r0, List<Beam> active, int v, int keep) {
    int k = active.size();
    Comparator<Integer> worseFirst = (a, b) -> {
      double sa = active.get(a / v).score() + logp[r0 * v + a], sb = active.get(b / v).score() + logp[r0 * v + b];
      if (sa != sb) return Double.compare(sa, sb);
      return Integer.compare(b, a);
    };
    PriorityQueue<Integer> heap = new PriorityQueue<>(keep + 1, worseFirst);
    for (int i = 0; i < k * v; i++) {
      if (heap.size() < keep) heap.add(i);
      else if (worseFirst.compare(i, heap.peek()) > 0) {
        heap.poll();
        heap.add(i);
      }
    }
    int[] out = new int[heap.size()];
    for (int i = out.length - 1; i >= 0; i--) out[i] = heap.poll();
    return out;
  }
}
