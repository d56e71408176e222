package org.neurite.text.translate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.neurite.autograd.GradMode;
import org.neurite.nn.AdditiveAttention;
import org.neurite.nn.Bidirectional;
import org.neurite.nn.Dense;
import org.neurite.nn.Embedding;
import org.neurite.nn.GRU;
import org.neurite.nn.Layer;
import org.neurite.nn.Module;
import org.neurite.nn.RecurrentLayer;
import org.neurite.tensor.Tensor;

/**
 * An RNN encoder-decoder for translation (Sutskever et al. 2014; Bahdanau et al. 2015), on token ids.
 * Strings, vocabularies and files are {@link Translator}'s job; this class is the network, its loss
 * and its decoders.
 *
 * <pre>
 *   encoder:  e = Embedding(src); H = GRU or Bidirectional(GRU)(e, mask)      H: [N, S, Hv]
 *             s_0 = tanh(W_b h_final + b)                                   (h_final: both directions' final states)
 *   decoder:  s_t = GRU(Embedding(y_{t-1}), s_{t-1})                          (teacher forcing in training)
 *             c_t, a_t = AdditiveAttention(s_t, H, mask)                      (only with attention)
 *             logits_t = W_o [s_t; c_t] + b_o                                 ([s_t] without attention)
 * </pre>
 * The score is Bahdanau's additive one; as in Luong et al. (2015) the query is the current state
 * s_t (not s_{t-1}) and there is no input feeding, so in training the decoder GRU runs over the whole
 * target in one op and attention over all steps at once. Decoding runs step by step with grad mode off.
 *
 * <p>Children (state_dict prefixes): {@code src_embed}, {@code encoder}, {@code bridge},
 * {@code tgt_embed}, {@code decoder}, {@code attention} (when on), {@code out}. Id 0 is PAD on both sides.
 */
public final class Seq2Seq extends Module {
  /** Everything needed to rebuild the network; {@code bos}/{@code eos} are target-vocabulary ids. */
  public record Config(int sourceVocab, int targetVocab, int embedDim, int hidden, boolean bidirectional,
      boolean attention, int attentionUnits, int bos, int eos) {}

  /** The encoder's outputs: values {@code [N, S, Hv]}, mask {@code [N, S]}, initial decoder state {@code [N, H]}. */
  public record Encoded(Tensor values, Tensor mask, Tensor h0) {}

  /**
   * A decoded sequence: {@code ids} (without BOS, ending with EOS when it finished), {@code score} (the sum
   * of its tokens' log-probabilities), and {@code attention} ({@code [ids.length][source length]}, empty rows
   * without attention).
   */
  public record Hypothesis(int[] ids, double score, float[][] attention) {
    /** The ids without a trailing EOS. */
    public int[] tokens(int eos) {
      return ids.length > 0 && ids[ids.length - 1] == eos ? Arrays.copyOf(ids, ids.length - 1) : ids.clone();
    }
  }

  private final Config config;
  private final Embedding srcEmbed, tgtEmbed;
  private final Layer encoder;
  private final Dense bridge, out;
  private final GRU decoder;
  private final AdditiveAttention attention;

  public Seq2Seq(Config c) {
    if (c.sourceVocab() < 2 || c.targetVocab() < 3 || c.embedDim() < 1 || c.hidden() < 1
        || (c.attention() && c.attentionUnits() < 1))
      throw new IllegalArgumentException("Seq2Seq: invalid config " + c + "; expected vocabularies >= 2 and positive sizes");
    if (c.bos() <= 0 || c.bos() >= c.targetVocab() || c.eos() <= 0 || c.eos() >= c.targetVocab())
      throw new IllegalArgumentException("Seq2Seq: bos (" + c.bos() + ") and eos (" + c.eos()
          + ") must be target ids in [1, " + c.targetVocab() + ")");
    this.config = c;
    int encDim = c.bidirectional() ? 2 * c.hidden() : c.hidden();
    srcEmbed = child("src_embed", new Embedding(c.sourceVocab(), c.embedDim()).paddingIdx(0));
    encoder = child("encoder", c.bidirectional() ? new Bidirectional(new GRU(c.hidden()).returnSequences(true))
        : new GRU(c.hidden()).returnSequences(true));
    bridge = child("bridge", new Dense(c.hidden()).tanh());
    tgtEmbed = child("tgt_embed", new Embedding(c.targetVocab(), c.embedDim()).paddingIdx(0));
    decoder = child("decoder", new GRU(c.hidden()).returnSequences(true));
    attention = c.attention() ? child("attention", new AdditiveAttention(c.attentionUnits())) : null;
    out = child("out", new Dense(c.targetVocab()));
    // Build every weight now, so that parameters() is complete before the first batch.
    srcEmbed.buildFor(new int[] {1});
    encoder.buildFor(new int[] {1, c.embedDim()});
    bridge.buildFor(new int[] {encDim});
    tgtEmbed.buildFor(new int[] {1});
    decoder.buildFor(new int[] {1, c.embedDim()});
    out.buildFor(new int[] {1, c.hidden() + (c.attention() ? encDim : 0)});
    if (attention != null)
      try (var g = GradMode.off()) {
        attention.call(Tensor.zeros(1, 1, c.hidden()), Tensor.zeros(1, 1, encDim), null);
      }
  }

  public Config config() {
    return config;
  }

  /** Teacher forcing is the training path; {@code forward} is not defined for a pair of sequences. */
  @Override
  public Tensor forward(Tensor x) {
    throw new UnsupportedOperationException("Seq2Seq: use logits(source, targetIn), loss(...), greedy(...) or beam(...)");
  }

  /** Encodes padded source ids {@code [N, S]} (0 = PAD, right padded). */
  public Encoded encode(Tensor source) {
    if (source.rank() != 2 || source.shape(1) == 0)
      throw new IllegalArgumentException("Seq2Seq: expected source ids [N, S] with S >= 1, got " + Arrays.toString(source.shape()));
    Tensor mask = srcEmbed.computeMask(source);
    Tensor x = srcEmbed.forward(source);
    RecurrentLayer.Output o = encoder instanceof Bidirectional b ? b.run(x, mask, null) : ((GRU) encoder).run(x, mask, null);
    Tensor last = config.bidirectional() ? Tensor.concat(-1, o.state().get(0), o.state().get(1)) : o.state().get(0);
    return new Encoded(o.sequence(), mask, bridge.forward(last));
  }

  /** Teacher-forced logits {@code [N, T, V]} for padded sources {@code [N, S]} and decoder inputs {@code [N, T]} (BOS first). */
  public Tensor logits(Tensor source, Tensor targetIn) {
    Encoded e = encode(source);
    Tensor s = decoder.run(tgtEmbed.forward(targetIn), null, List.of(e.h0())).sequence();   // [N, T, H]
    Tensor feat = attention == null ? s : Tensor.concat(-1, s, attention.call(s, e.values(), e.mask()).context());
    return out.forward(feat);
  }

  /**
   * Mean cross-entropy over the non-PAD positions of {@code targetOut} {@code [N, T]} (targetIn shifted left,
   * EOS last), label-smoothed by {@code smoothing}.
   */
  public Tensor loss(Tensor source, Tensor targetIn, Tensor targetOut, float smoothing) {
    Tensor logits = logits(source, targetIn);
    int m = targetOut.size();
    return SequenceLoss.crossEntropy(logits.reshape(m, config.targetVocab()), targetOut.reshape(m), 0, smoothing);
  }

  // ------------------------------------------------------------------ decoding

  private record Step(float[] logp, Tensor h, float[] weights) {}   // logp: [K, V], h: [K, H], weights: [K, S] or null

  private Step step(int[] prev, Tensor h, Tensor values, Tensor mask) {
    int k = prev.length;
    float[] ids = new float[k];
    for (int i = 0; i < k; i++) ids[i] = prev[i];
    RecurrentLayer.Output o = decoder.run(tgtEmbed.forward(Tensor.of(ids, k, 1)), null, List.of(h));
    Tensor s = o.sequence();                                                       // [K, 1, H]
    float[] w = null;
    Tensor feat = s;
    if (attention != null) {
      AdditiveAttention.Result r = attention.call(s, values, mask);
      feat = Tensor.concat(-1, s, r.context());
      w = r.weights().contiguous().data();                                          // [K, 1, S]
    }
    Tensor logp = out.forward(feat).reshape(k, config.targetVocab()).logSoftmax(1);
    return new Step(logp.contiguous().data(), o.state().get(0), w);
  }

  /** Right-pads id sequences into {@code [N, S]} (an empty sequence becomes one PAD... so callers append EOS). */
  public static Tensor pad(List<int[]> seqs) {
    int s = 1;
    for (int[] q : seqs) s = Math.max(s, q.length);
    float[] v = new float[seqs.size() * s];
    for (int i = 0; i < seqs.size(); i++) for (int j = 0; j < seqs.get(i).length; j++) v[i * s + j] = seqs.get(i)[j];
    return Tensor.of(v, seqs.size(), s);
  }

  /** Greedy decoding of a batch of sources (ids, EOS included), at most {@code maxLength} tokens each. */
  public List<Hypothesis> greedy(List<int[]> sources, int maxLength) {
    try (var g = org.neurite.train.Trainer.inference(this)) {
      int n = sources.size(), v = config.targetVocab();
      if (n == 0) return List.of();
      Encoded e = encode(pad(sources));
      int s = e.values().shape(1);
      Tensor h = e.h0();
      int[] prev = new int[n];
      Arrays.fill(prev, config.bos());
      boolean[] done = new boolean[n];
      double[] score = new double[n];
      List<List<Integer>> ids = new ArrayList<>();
      List<List<float[]>> attn = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ids.add(new ArrayList<>());
        attn.add(new ArrayList<>());
      }
      for (int t = 0, left = n; t < maxLength && left > 0; t++) {
        Step st = step(prev, h, e.values(), e.mask());
        h = st.h();
        for (int i = 0; i < n; i++) {
          if (done[i]) continue;
          int best = 0;
          for (int j = 1; j < v; j++) if (st.logp()[i * v + j] > st.logp()[i * v + best]) best = j;
          score[i] += st.logp()[i * v + best];
          ids.get(i).add(best);
          attn.get(i).add(st.weights() == null ? new float[0] : Arrays.copyOfRange(st.weights(), i * s, i * s + sources.get(i).length));
          prev[i] = best;
          if (best == config.eos()) {
            done[i] = true;
            left--;
          }
        }
      }
      List<Hypothesis> result = new ArrayList<>(n);
      for (int i = 0; i < n; i++)
        result.add(new Hypothesis(ids.get(i).stream().mapToInt(Integer::intValue).toArray(), score[i],
            attn.get(i).toArray(new float[0][])));
      return result;
    }
  }

  private record Beam(int[] ids, double score, List<float[]> attn) {
    Beam extend(int id, double logp, float[] w) {
      int[] x = Arrays.copyOf(ids, ids.length + 1);
      x[ids.length] = id;
      List<float[]> a = new ArrayList<>(attn);
      a.add(w);
      return new Beam(x, score + logp, a);
    }

    Hypothesis hypothesis() {
      return new Hypothesis(ids, score, attn.toArray(new float[0][]));
    }
  }

  /** GNMT's length penalty (Wu et al. 2016): {@code ((5 + len) / 6)^alpha}; alpha 0 ranks by raw log-probability. */
  public static double lengthPenalty(int length, double alpha) {
    return alpha == 0 ? 1.0 : Math.pow((5.0 + length) / 6.0, alpha);
  }

  /**
   * Beam search over one source (ids, EOS included): keeps {@code width} live prefixes; an EOS among the
   * best {@code width} candidates of a step finishes a hypothesis; stops when {@code width} hypotheses have
   * finished or after {@code maxLength} steps (the live prefixes then count as hypotheses). Returns the
   * hypothesis with the highest {@code score / lengthPenalty(len, alpha)}. Greedy's hypothesis is scored
   * too and competes in that final choice: plain beam search can drop greedy's path, and with it the
   * guarantee that a wider search never scores lower. Width 1 is exactly greedy.
   */
  public Hypothesis beam(int[] source, int width, double alpha, int maxLength) {
    if (width < 1) throw new IllegalArgumentException("beam: width (" + width + ") must be >= 1");
    Hypothesis greedy = greedy(List.of(source), maxLength).get(0);
    if (width == 1) return greedy;
    try (var g = org.neurite.train.Trainer.inference(this)) {
      int v = config.targetVocab();
      Encoded e = encode(pad(List.of(source)));
      int s = e.values().shape(1);
      List<Beam> active = List.of(new Beam(new int[0], 0, List.of()));
      List<Beam> finished = new ArrayList<>();
      Tensor h = e.h0();
      for (int t = 0; t < maxLength && !active.isEmpty(); t++) {
        int k = active.size();
        int[] prev = new int[k], zeros = new int[k];
        for (int i = 0; i < k; i++) prev[i] = t == 0 ? config.bos() : active.get(i).ids()[t - 1];
        Step st = step(prev, h, e.values().indexSelect(0, zeros), e.mask().indexSelect(0, zeros));
        // the best 2*width (beam, token) extensions, by total score; ties by beam then token, as greedy's argmax
        int keep = Math.min(2 * width, k * v);
        int[] top = topK(st.logp(), active, v, keep);
        List<Beam> next = new ArrayList<>();
        int[] parents = new int[width];
        for (int r = 0; r < top.length && next.size() < width; r++) {
          int b = top[r] / v, id = top[r] % v;
          float[] w = st.weights() == null ? new float[0] : Arrays.copyOfRange(st.weights(), b * s, b * s + s);
          Beam x = active.get(b).extend(id, st.logp()[top[r]], w);
          if (id == config.eos()) {
            if (r < width) finished.add(x);
          } else {
            parents[next.size()] = b;
            next.add(x);
          }
        }
        if (finished.size() >= width) {
          active = List.of();
          break;
        }
        active = next;
        h = st.h().indexSelect(0, Arrays.copyOf(parents, next.size()));
      }
      List<Beam> all = new ArrayList<>(finished);
      all.addAll(active);   // reached maxLength unfinished
      Hypothesis best = greedy;
      double bestScore = greedy.score() / lengthPenalty(greedy.ids().length, alpha);
      for (Beam b : all) {
        double sc = b.score() / lengthPenalty(b.ids().length, alpha);
        if (sc > bestScore) {
          bestScore = sc;
          best = b.hypothesis();
        }
      }
      return best;
    }
  }

  private static int[] topK(float[] logp, List<Beam> active, int v, int keep) {
    int k = active.size();
    // a bounded min-heap over flat indices b*v + j, ordered by total score (higher better, then lower index)
    Comparator<Integer> worseFirst = (a, b) -> {
      double sa = active.get(a / v).score() + logp[a], sb = active.get(b / v).score() + logp[b];
      if (sa != sb) return Double.compare(sa, sb);
      return Integer.compare(b, a);
    };
    java.util.PriorityQueue<Integer> heap = new java.util.PriorityQueue<>(keep + 1, worseFirst);
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

  @Override
  public String toString() {
    return "Seq2Seq(" + (config.attention() ? "gru-attention" : "gru") + ", hidden=" + config.hidden()
        + (config.bidirectional() ? ", bidirectional" : "") + ")";
  }
}
