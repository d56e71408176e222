package org.neurite.text.translate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.neurite.autograd.GradMode;
import org.neurite.nn.Dense;
import org.neurite.nn.Embedding;
import org.neurite.nn.LayerNorm;
import org.neurite.nn.Module;
import org.neurite.nn.PositionalEncoding;
import org.neurite.nn.Seeds;
import org.neurite.nn.TransformerDecoderLayer;
import org.neurite.nn.TransformerEncoderLayer;
import org.neurite.ops.Functional;
import org.neurite.ops.Losses;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * A Transformer encoder-decoder for translation (Vaswani et al. 2017, "Attention Is All You Need"), on
 * token ids; the second architecture beside the GRU {@link Seq2Seq}. Strings and files are
 * {@link Translator}'s job.
 *
 * <pre>
 *   encoder:  x = dropout(Embedding(src) sqrt(d) + PE);  x = EncoderLayer_i(x, srcMask)  (then norm, pre-norm only)
 *   decoder:  y = dropout(Embedding(tgt_in) sqrt(d) + PE);  y = DecoderLayer_i(y, memory, causal, srcMask)
 *   logits = out(y)
 * </pre>
 * Embeddings start as N(0, 1/d) (so that times sqrt(d) they match the positions' scale). PE is the
 * sinusoidal table, grown on demand, so sources and outputs longer than any seen in training
 * still run. The target side needs no padding mask: padding is on the right and attention is causal, so no
 * real position sees a padded one. Decoding is incremental: each step runs only the new position through the
 * decoder, against a per-layer cache of the earlier positions ({@link TransformerDecoderLayer#step}).
 *
 * <p>Children (state_dict prefixes): {@code src_embed} and {@code tgt_embed}, or {@code embed} when
 * {@code sharedEmbeddings} (one table for a joint vocabulary: sourceVocab must equal targetVocab),
 * {@code encoder.i}, {@code decoder.i} (PyTorch's layer names inside), {@code encoder_norm} and
 * {@code decoder_norm} (pre-norm only, as nn.Transformer's), {@code out}. Id 0 is PAD on both sides.
 *
 * <p>Not thread-safe, not even for concurrent decoding: besides the state every {@link
 * org.neurite.nn.Module} holds, it grows its positional-encoding table on demand.
 */
public final class TransformerSeq2Seq extends Module implements TranslationModel {
  /** Everything needed to rebuild the network; {@code bos}/{@code eos} are target-vocabulary ids. */
  public record Config(int sourceVocab, int targetVocab, int dModel, int heads, int ff, int encoderLayers,
      int decoderLayers, float dropout, boolean normFirst, boolean sharedEmbeddings, int bos, int eos)
      implements TranslationModel.Sizes {}

  private final Config config;
  private final Embedding srcEmbed, tgtEmbed;
  private final List<TransformerEncoderLayer> encoder = new ArrayList<>();
  private final List<TransformerDecoderLayer> decoder = new ArrayList<>();
  private final LayerNorm encNorm, decNorm;
  private final Dense out;
  private final Rng rng = Seeds.next();
  private final float scale;
  private Tensor pe;   // [L, d], grown on demand

  public TransformerSeq2Seq(Config c) {
    if (c.sourceVocab() < 2 || c.targetVocab() < 3 || c.dModel() < 1 || c.heads() < 1 || c.ff() < 1 || c.encoderLayers() < 1
        || c.decoderLayers() < 1)
      throw new IllegalArgumentException("TransformerSeq2Seq: invalid config " + c + "; expected vocabularies >= 2 and positive sizes");
    if (c.bos() <= 0 || c.bos() >= c.targetVocab() || c.eos() <= 0 || c.eos() >= c.targetVocab())
      throw new IllegalArgumentException("TransformerSeq2Seq: bos (" + c.bos() + ") and eos (" + c.eos()
          + ") must be target ids in [1, " + c.targetVocab() + ")");
    if (c.sharedEmbeddings() && c.sourceVocab() != c.targetVocab())
      throw new IllegalArgumentException("TransformerSeq2Seq: shared embeddings need one joint vocabulary, got sourceVocab "
          + c.sourceVocab() + " and targetVocab " + c.targetVocab() + ". Hint: build one vocabulary over both sides");
    this.config = c;
    int d = c.dModel();
    if (c.sharedEmbeddings()) {
      srcEmbed = tgtEmbed = child("embed", new Embedding(c.sourceVocab(), d).paddingIdx(0));
    } else {
      srcEmbed = child("src_embed", new Embedding(c.sourceVocab(), d).paddingIdx(0));
      tgtEmbed = child("tgt_embed", new Embedding(c.targetVocab(), d).paddingIdx(0));
    }
    int[] in = {1, d};
    for (int i = 0; i < c.encoderLayers(); i++) {
      var layer = child("encoder." + i, new TransformerEncoderLayer(d, c.heads(), c.ff()).dropout(c.dropout()).normFirst(c.normFirst()));
      layer.buildFor(in);
      encoder.add(layer);
    }
    for (int i = 0; i < c.decoderLayers(); i++)
      decoder.add(child("decoder." + i, new TransformerDecoderLayer(d, c.heads(), c.ff()).dropout(c.dropout()).normFirst(c.normFirst())));
    encNorm = c.normFirst() ? child("encoder_norm", new LayerNorm()) : null;
    decNorm = c.normFirst() ? child("decoder_norm", new LayerNorm()) : null;
    out = child("out", new Dense(c.targetVocab()));
    srcEmbed.buildFor(new int[] {1});
    tgtEmbed.buildFor(new int[] {1});
    if (encNorm != null) {
      encNorm.buildFor(in);
      decNorm.buildFor(in);
    }
    out.buildFor(in);
    scale = (float) Math.sqrt(d);
    // embeddings ~ N(0, 1/d), so that times sqrt(d) they have unit scale, as the positions do (fairseq's
    // init; Embedding's N(0, 1) times sqrt(d) would drown the positional signal)
    for (Embedding e : srcEmbed == tgtEmbed ? List.of(srcEmbed) : List.of(srcEmbed, tgtEmbed)) {
      float[] w = e.weight().storage();
      for (int i = 0; i < w.length; i++) w[i] /= scale;
    }
  }

  @Override
  public Config config() {
    return config;
  }

  /** Teacher forcing is the training path; {@code forward} is not defined for a pair of sequences. */
  @Override
  public Tensor forward(Tensor x) {
    throw new UnsupportedOperationException("TransformerSeq2Seq: use logits(source, targetIn), loss(...), greedy(...) or beam(...)");
  }

  // the sinusoidal rows [from, from + n), grown to fit
  private Tensor positions(int from, int n) {
    if (pe == null || pe.shape(0) < from + n) pe = PositionalEncoding.table(Math.max(from + n, pe == null ? 128 : 2 * pe.shape(0)), config.dModel());
    return pe.slice(0, from, from + n);
  }

  // dropout(Embedding(ids) * sqrt(d) + PE[from : from + T]); ids [N, T]
  private Tensor embed(Embedding e, Tensor ids, int from) {
    Tensor x = e.forward(ids).mul(scale).add(positions(from, ids.shape(1)));
    return Functional.dropout(x, config.dropout(), isTraining(), rng);
  }

  /** The encoder's output {@code [N, S, d]} and the source mask {@code [N, S]}. */
  public record Encoded(Tensor memory, Tensor mask) {}

  /** Encodes padded source ids {@code [N, S]} (0 = PAD, right padded). */
  public Encoded encode(Tensor source) {
    if (source.rank() != 2 || source.shape(1) == 0)
      throw new IllegalArgumentException("TransformerSeq2Seq: expected source ids [N, S] with S >= 1, got " + Arrays.toString(source.shape()));
    Tensor mask = srcEmbed.computeMask(source);
    Tensor x = embed(srcEmbed, source, 0);
    for (TransformerEncoderLayer l : encoder) x = l.forward(x, mask);
    return new Encoded(encNorm == null ? x : encNorm.forward(x), mask);
  }

  /** Teacher-forced logits {@code [N, T, V]} for padded sources {@code [N, S]} and decoder inputs {@code [N, T]} (BOS first). */
  public Tensor logits(Tensor source, Tensor targetIn) {
    Encoded e = encode(source);
    Tensor y = embed(tgtEmbed, targetIn, 0);
    for (TransformerDecoderLayer l : decoder) y = l.forward(y, e.memory(), null, e.mask());
    return out.forward(decNorm == null ? y : decNorm.forward(y));
  }

  /**
   * Mean label-smoothed cross-entropy over the non-PAD labels. With {@code teacherForcing < 1}, scheduled
   * sampling in two passes (Mihaylova and Martins 2019, "Scheduled Sampling for Transformers"): a first,
   * gradient-free teacher-forced pass predicts every position; the second pass reads, per position, the
   * reference with probability {@code teacherForcing}, else the first pass's argmax for the position before.
   */
  @Override
  public Tensor loss(Tensor source, Tensor targetIn, Tensor targetOut, float smoothing, double teacherForcing, Rng sampling) {
    Tensor in = targetIn;
    if (teacherForcing < 1) {
      float[] pred;
      try (var g = GradMode.off()) {
        pred = logits(source, targetIn).argmax(-1, false).contiguous().data();             // [N, T]
      }
      float[] gold = targetIn.contiguous().data(), mixed = gold.clone();
      int n = targetIn.shape(0), t = targetIn.shape(1);
      for (int i = 0; i < n; i++)
        for (int j = 1; j < t; j++)
          if (gold[i * t + j] != 0 && sampling.nextDouble() >= teacherForcing) mixed[i * t + j] = pred[i * t + j - 1];
      in = Tensor.of(mixed, n, t);
    }
    Tensor logits = logits(source, in);
    int m = targetOut.size();
    return Losses.crossEntropy(logits.reshape(m, config.targetVocab()), targetOut.reshape(m), 0, smoothing);
  }

  // ------------------------------------------------------------------ decoding

  /** The decoder's cache: per layer the self-attention inputs of the positions so far, {@code [K, t, d]}. */
  private record Cache(Tensor[] layers, int length) {}

  private Decoding.Stepper<Cache> stepper(Encoded e) {
    return new Decoding.Stepper<>() {
      public Decoding.Step<Cache> step(int[] prev, int[] sentence, Cache cache) {
        int k = prev.length;
        float[] ids = new float[k];
        for (int i = 0; i < k; i++) ids[i] = prev[i];
        boolean same = sentence.length == e.memory().shape(0);
        for (int i = 0; same && i < k; i++) same = sentence[i] == i;
        Tensor memory = same ? e.memory() : e.memory().indexSelect(0, sentence), mask = same ? e.mask() : e.mask().indexSelect(0, sentence);
        Tensor y = embed(tgtEmbed, Tensor.of(ids, k, 1), cache.length());
        Tensor[] next = new Tensor[decoder.size()];
        Tensor weights = null;
        for (int l = 0; l < decoder.size(); l++) {
          TransformerDecoderLayer.Step s = decoder.get(l).step(y, cache.layers()[l], memory, mask, l == decoder.size() - 1);
          y = s.output();
          next[l] = s.cache();
          weights = s.crossWeights();
        }
        Tensor logp = out.forward(decNorm == null ? y : decNorm.forward(y)).reshape(k, config.targetVocab()).logSoftmax(1);
        return new Decoding.Step<>(logp.contiguous().data(), new Cache(next, cache.length() + 1), weights.contiguous().data(),
            memory.shape(1));
      }

      public Cache select(Cache cache, int[] rows) {
        Tensor[] s = new Tensor[cache.layers().length];
        for (int l = 0; l < s.length; l++) s[l] = cache.layers()[l].indexSelect(0, rows);
        return new Cache(s, cache.length());
      }
    };
  }

  private Cache empty() {
    return new Cache(new Tensor[decoder.size()], 0);
  }

  @Override
  public List<Seq2Seq.Hypothesis> greedy(List<int[]> sources, int[] maxLengths) {
    if (sources.isEmpty()) return List.of();
    try (var g = org.neurite.train.Trainer.inference(this)) {
      Encoded e = encode(Seq2Seq.pad(sources));
      return Decoding.greedy(stepper(e), empty(), Seq2Seq.lengths(sources), maxLengths, config.bos(), config.eos());
    }
  }

  /** Beam search over a batch of sources; the algorithm is {@link Seq2Seq#beam(List, int, double, int[])}'s. */
  @Override
  public List<Seq2Seq.Hypothesis> beam(List<int[]> sources, int width, double alpha, int[] maxLengths) {
    if (width < 1) throw new IllegalArgumentException("beam: width (" + width + ") must be >= 1");
    List<Seq2Seq.Hypothesis> greedy = greedy(sources, maxLengths);
    if (width == 1 || sources.isEmpty()) return greedy;
    try (var g = org.neurite.train.Trainer.inference(this)) {
      Encoded e = encode(Seq2Seq.pad(sources));
      return Decoding.beam(stepper(e), empty(), Seq2Seq.lengths(sources), maxLengths, config.bos(), config.eos(), width, alpha, greedy);
    }
  }

  @Override
  public String toString() {
    return "TransformerSeq2Seq(d=" + config.dModel() + ", heads=" + config.heads() + ", ff=" + config.ff() + ", layers="
        + config.encoderLayers() + "+" + config.decoderLayers() + (config.normFirst() ? ", normFirst" : "")
        + (config.sharedEmbeddings() ? ", shared embeddings" : "") + ")";
  }
}
