package org.neurite.text.translate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.neurite.nn.AdditiveAttention;
import org.neurite.nn.Bidirectional;
import org.neurite.nn.Dense;
import org.neurite.nn.Embedding;
import org.neurite.nn.GRU;
import org.neurite.nn.LSTM;
import org.neurite.nn.Layer;
import org.neurite.nn.Module;
import org.neurite.nn.MultiplicativeAttention;
import org.neurite.nn.RecurrentLayer;
import org.neurite.nn.SourceAttention;
import org.neurite.tensor.Rng;
import org.neurite.ops.Losses;
import org.neurite.tensor.Tensor;

/**
 * An RNN encoder-decoder for translation (Sutskever et al. 2014; Bahdanau et al. 2015), on token ids.
 * Strings, vocabularies and files are {@link Translator}'s job; this class is the network, its loss
 * and its decoders.
 *
 * <pre>
 *   encoder:  e = Embedding(src); H = RNN or Bidirectional(RNN)(e, mask)      H: [N, S, Hv]   (RNN: GRU or LSTM)
 *             s_0 = tanh(W_b h_final + b)                                   (h_final: both directions' final states;
 *                                                                            an LSTM decoder starts with cell 0)
 *   decoder:  s_t = RNN(Embedding(y_{t-1}), s_{t-1})                          (teacher forcing in training)
 *             c_t, a_t = Attention(s_t, H, mask)                              (only with attention)
 *             logits_t = W_o [s_t; c_t] + b_o                                 ([s_t] without attention)
 * </pre>
 * The score is Bahdanau's additive one ({@code score = "additive"}) or Luong's "general" or "dot"; as
 * in Luong et al. (2015) the query is the current state s_t (not s_{t-1}) and there is no input
 * feeding, so in training the decoder runs over the whole target in one op and attention over all
 * steps at once. Decoding runs step by step with grad mode off.
 *
 * <p>Children (state_dict prefixes): {@code src_embed}, {@code encoder}, {@code bridge},
 * {@code tgt_embed}, {@code decoder}, {@code attention} (when on), {@code out}. Id 0 is PAD on both sides.
 *
 * <p>Not thread-safe, like every {@link org.neurite.nn.Module}: see there for the concurrent {@code
 * predict} it allows.
 */
public final class Seq2Seq extends Module implements TranslationModel {
  /** Everything needed to rebuild the network; {@code bos}/{@code eos} are target-vocabulary ids. */
  public record Config(int sourceVocab, int targetVocab, int embedDim, int hidden, boolean bidirectional,
      boolean attention, int attentionUnits, int bos, int eos, String cell, String score) implements TranslationModel.Sizes {
    /** {@code cell} "gru" or "lstm"; {@code score} "additive", "general" or "dot" (null: gru, additive, as files before them). */
    public Config {
      cell = cell == null ? "gru" : cell;
      score = score == null ? "additive" : score;
    }

    /** A GRU with additive attention. */
    public Config(int sourceVocab, int targetVocab, int embedDim, int hidden, boolean bidirectional, boolean attention,
                  int attentionUnits, int bos, int eos) {
      this(sourceVocab, targetVocab, embedDim, hidden, bidirectional, attention, attentionUnits, bos, eos, "gru", "additive");
    }

    boolean lstm() {
      return cell.equals("lstm");
    }
  }

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
  private final RecurrentLayer decoder;
  private final SourceAttention attention;

  public Seq2Seq(Config c) {
    if (c.sourceVocab() < 2 || c.targetVocab() < 3 || c.embedDim() < 1 || c.hidden() < 1
        || (c.attention() && c.attentionUnits() < 1))
      throw new IllegalArgumentException("Seq2Seq: invalid config " + c + "; expected vocabularies >= 2 and positive sizes");
    if (c.bos() <= 0 || c.bos() >= c.targetVocab() || c.eos() <= 0 || c.eos() >= c.targetVocab())
      throw new IllegalArgumentException("Seq2Seq: bos (" + c.bos() + ") and eos (" + c.eos()
          + ") must be target ids in [1, " + c.targetVocab() + ")");
    if (!c.cell().equals("gru") && !c.cell().equals("lstm"))
      throw new IllegalArgumentException("Seq2Seq: cell \"" + c.cell() + "\" is not gru or lstm");
    if (!List.of("additive", "general", "dot").contains(c.score()))
      throw new IllegalArgumentException("Seq2Seq: score \"" + c.score() + "\" is not additive, general or dot");
    if (c.attention() && c.score().equals("dot") && c.bidirectional())
      throw new IllegalArgumentException("Seq2Seq: the dot score needs encoder outputs as wide as the decoder state; a bidirectional "
          + "encoder's are twice as wide: use the general score or a unidirectional encoder");
    this.config = c;
    int encDim = c.bidirectional() ? 2 * c.hidden() : c.hidden();
    srcEmbed = child("src_embed", new Embedding(c.sourceVocab(), c.embedDim()).paddingIdx(0));
    encoder = child("encoder", c.bidirectional() ? new Bidirectional(rnn(c)) : rnn(c));
    bridge = child("bridge", new Dense(c.hidden()).tanh());
    tgtEmbed = child("tgt_embed", new Embedding(c.targetVocab(), c.embedDim()).paddingIdx(0));
    decoder = child("decoder", rnn(c));
    attention = !c.attention() ? null : c.score().equals("additive") ? child("attention", new AdditiveAttention(c.attentionUnits()))
        : child("attention", new MultiplicativeAttention(c.score(), c.hidden()));
    out = child("out", new Dense(c.targetVocab()));
    // Build every weight now, so that parameters() is complete before the first batch.
    srcEmbed.buildFor(new int[] {1});
    encoder.buildFor(new int[] {1, c.embedDim()});
    bridge.buildFor(new int[] {encDim});
    tgtEmbed.buildFor(new int[] {1});
    decoder.buildFor(new int[] {1, c.embedDim()});
    out.buildFor(new int[] {1, c.hidden() + (c.attention() ? encDim : 0)});
    if (attention != null) attention.build(c.hidden(), encDim);
  }

  private static RecurrentLayer rnn(Config c) {
    return c.lstm() ? new LSTM(c.hidden()).returnSequences(true) : new GRU(c.hidden()).returnSequences(true);
  }

  /** The decoder's first state: the bridged h, and for an LSTM a zero cell. */
  private List<Tensor> initialState(Encoded e) {
    return config.lstm() ? List.of(e.h0(), Tensor.zeros(e.h0().shape())) : List.of(e.h0());
  }

  @Override
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
    RecurrentLayer.Output o = encoder instanceof Bidirectional b ? b.run(x, mask, null) : ((RecurrentLayer) encoder).run(x, mask, null);
    int per = config.lstm() ? 2 : 1;   // states per direction: h (and c)
    Tensor last = config.bidirectional() ? Tensor.concat(-1, o.state().get(0), o.state().get(per)) : o.state().get(0);
    return new Encoded(o.sequence(), mask, bridge.forward(last));
  }

  /** Teacher-forced logits {@code [N, T, V]} for padded sources {@code [N, S]} and decoder inputs {@code [N, T]} (BOS first). */
  public Tensor logits(Tensor source, Tensor targetIn) {
    Encoded e = encode(source);
    Tensor s = decoder.run(tgtEmbed.forward(targetIn), null, initialState(e)).sequence();   // [N, T, H]
    Tensor feat = attention == null ? s : Tensor.concat(-1, s, attention.call(s, e.values(), e.mask()).context());
    return out.forward(feat);
  }

  /**
   * Logits {@code [N, T, V]} under scheduled sampling (Bengio et al. 2015, "Scheduled Sampling for Sequence
   * Prediction with Recurrent Neural Networks"): the decoder runs step by step, and each step after the first
   * reads, per sentence, the reference token {@code targetIn[:, t]} with probability {@code teacherForcing}, else
   * the argmax of its own previous logits (a choice that carries no gradient). {@code teacherForcing >= 1} is
   * {@link #logits(Tensor, Tensor)}.
   */
  public Tensor logits(Tensor source, Tensor targetIn, double teacherForcing, Rng rng) {
    if (teacherForcing >= 1) return logits(source, targetIn);
    Encoded e = encode(source);
    int n = targetIn.shape(0), t = targetIn.shape(1), v = config.targetVocab();
    float[] gold = targetIn.contiguous().data();
    float[] prev = new float[n];
    for (int i = 0; i < n; i++) prev[i] = gold[i * t];
    List<Tensor> h = initialState(e);
    List<Tensor> steps = new ArrayList<>(t);
    for (int j = 0; j < t; j++) {
      if (j > 0) {
        float[] last = steps.get(j - 1).contiguous().data();   // [N, 1, V]
        for (int i = 0; i < n; i++) {
          if (rng.nextDouble() < teacherForcing) prev[i] = gold[i * t + j];
          else {
            int best = 0;
            for (int k = 1; k < v; k++) if (last[i * v + k] > last[i * v + best]) best = k;
            prev[i] = best;
          }
        }
      }
      RecurrentLayer.Output o = decoder.run(tgtEmbed.forward(Tensor.of(prev.clone(), n, 1)), null, h);
      Tensor s = o.sequence();                                                      // [N, 1, H]
      h = o.state();
      Tensor feat = attention == null ? s : Tensor.concat(-1, s, attention.call(s, e.values(), e.mask()).context());
      steps.add(out.forward(feat));                                                  // [N, 1, V]
    }
    return Tensor.concat(1, steps.toArray(new Tensor[0]));
  }

  /**
   * Mean cross-entropy over the non-PAD positions of {@code targetOut} {@code [N, T]} (targetIn shifted left,
   * EOS last), label-smoothed by {@code smoothing}.
   */
  public Tensor loss(Tensor source, Tensor targetIn, Tensor targetOut, float smoothing) {
    return loss(source, targetIn, targetOut, smoothing, 1.0, null);
  }

  /** As {@link #loss(Tensor, Tensor, Tensor, float)}, with scheduled sampling at ratio {@code teacherForcing}. */
  @Override
  public Tensor loss(Tensor source, Tensor targetIn, Tensor targetOut, float smoothing, double teacherForcing, Rng rng) {
    Tensor logits = logits(source, targetIn, teacherForcing, rng);
    int m = targetOut.size();
    return Losses.crossEntropy(logits.reshape(m, config.targetVocab()), targetOut.reshape(m), 0, smoothing);
  }

  // ------------------------------------------------------------------ decoding

  // One decoder step for rows k (of sentence sentence[k]) with state h: [K, H] (and the LSTM's cell [K, H]).
  private Decoding.Step<List<Tensor>> step(int[] prev, int[] sentence, List<Tensor> h, Encoded e) {
    int k = prev.length;
    float[] ids = new float[k];
    for (int i = 0; i < k; i++) ids[i] = prev[i];
    RecurrentLayer.Output o = decoder.run(tgtEmbed.forward(Tensor.of(ids, k, 1)), null, h);
    Tensor s = o.sequence();                                                       // [K, 1, H]
    float[] w = null;
    Tensor feat = s;
    if (attention != null) {
      boolean same = sentence.length == e.values().shape(0);
      for (int i = 0; same && i < k; i++) same = sentence[i] == i;
      Tensor values = same ? e.values() : e.values().indexSelect(0, sentence), mask = same ? e.mask() : e.mask().indexSelect(0, sentence);
      SourceAttention.Result r = attention.call(s, values, mask);
      feat = Tensor.concat(-1, s, r.context());
      w = r.weights().contiguous().data();                                          // [K, 1, S]
    }
    Tensor logp = out.forward(feat).reshape(k, config.targetVocab()).logSoftmax(1);
    return new Decoding.Step<>(logp.contiguous().data(), o.state(), w, e.values().shape(1));
  }

  private Decoding.Stepper<List<Tensor>> stepper(Encoded e) {
    return new Decoding.Stepper<>() {
      public Decoding.Step<List<Tensor>> step(int[] prev, int[] sentence, List<Tensor> h) {
        return Seq2Seq.this.step(prev, sentence, h, e);
      }

      public List<Tensor> select(List<Tensor> h, int[] rows) {
        List<Tensor> out = new ArrayList<>(h.size());
        for (Tensor t : h) out.add(t.indexSelect(0, rows));
        return out;
      }
    };
  }

  /** Right-pads id sequences into {@code [N, S]} (an empty sequence becomes one PAD... so callers append EOS). */
  public static Tensor pad(List<int[]> seqs) {
    int s = 1;
    for (int[] q : seqs) s = Math.max(s, q.length);
    float[] v = new float[seqs.size() * s];
    for (int i = 0; i < seqs.size(); i++) for (int j = 0; j < seqs.get(i).length; j++) v[i * s + j] = seqs.get(i)[j];
    return Tensor.of(v, seqs.size(), s);
  }

  static int[] lengths(List<int[]> seqs) {
    int[] out = new int[seqs.size()];
    for (int i = 0; i < out.length; i++) out[i] = seqs.get(i).length;
    return out;
  }

  /** Greedy decoding of a batch of sources (ids, EOS included), sentence i at most {@code maxLengths[i]} tokens. */
  @Override
  public List<Hypothesis> greedy(List<int[]> sources, int[] maxLengths) {
    if (sources.isEmpty()) return List.of();
    try (var g = org.neurite.train.Trainer.inference(this)) {
      Encoded e = encode(pad(sources));
      return Decoding.greedy(stepper(e), initialState(e), lengths(sources), maxLengths, config.bos(), config.eos());
    }
  }

  /** GNMT's length penalty (Wu et al. 2016): {@code ((5 + len) / 6)^alpha}; alpha 0 ranks by raw log-probability. */
  public static double lengthPenalty(int length, double alpha) {
    return alpha == 0 ? 1.0 : Math.pow((5.0 + length) / 6.0, alpha);
  }

  /**
   * Beam search over a batch of sources (ids, EOS included), all sentences' beams advancing together: keeps
   * {@code width} live prefixes per sentence; an EOS among the best {@code width} candidates of a step finishes a
   * hypothesis; a sentence stops when {@code width} hypotheses have finished or after {@code maxLengths[i]} steps
   * (the live prefixes then count as hypotheses). Returns per sentence the hypothesis with the highest
   * {@code score / lengthPenalty(len, alpha)}. Greedy's hypothesis is scored too and competes in that final
   * choice: plain beam search can drop greedy's path, and with it the guarantee that a wider search never scores
   * lower. Width 1 is exactly greedy.
   */
  @Override
  public List<Hypothesis> beam(List<int[]> sources, int width, double alpha, int[] maxLengths) {
    if (width < 1) throw new IllegalArgumentException("beam: width (" + width + ") must be >= 1");
    List<Hypothesis> greedy = greedy(sources, maxLengths);
    if (width == 1 || sources.isEmpty()) return greedy;
    try (var g = org.neurite.train.Trainer.inference(this)) {
      Encoded e = encode(pad(sources));
      return Decoding.beam(stepper(e), initialState(e), lengths(sources), maxLengths, config.bos(), config.eos(), width, alpha, greedy);
    }
  }

  @Override
  public String toString() {
    return "Seq2Seq(" + config.cell() + (config.attention() ? "-attention" + (config.score().equals("additive") ? "" : " (" + config.score() + ")")
        : "") + ", hidden=" + config.hidden() + (config.bidirectional() ? ", bidirectional" : "") + ")";
  }
}
