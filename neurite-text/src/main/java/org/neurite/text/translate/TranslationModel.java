package org.neurite.text.translate;

import java.util.List;
import org.neurite.nn.Module;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * What {@link TranslationTrainer} and {@link Translator} need of a translation network on token ids: the
 * GRU encoder-decoder ({@link Seq2Seq}) or the Transformer ({@link TransformerSeq2Seq}). Not a text-level
 * API: strings and vocabularies are the Translator's.
 *
 * <p>Id 0 is PAD on both sides; sources end with EOS; targets are {@code BOS ... EOS}.
 *
 * <p>Implementations are modules and, like every {@link org.neurite.nn.Module}, not thread-safe.
 */
public sealed interface TranslationModel permits Seq2Seq, TransformerSeq2Seq {
  /** The network as a module (parameters, state_dict, train/eval). */
  default Module module() {
    return (Module) this;
  }

  /** What every architecture's config record holds besides its own sizes: the vocabularies and the BOS/EOS ids. */
  interface Sizes {
    int sourceVocab();

    int targetVocab();

    int bos();

    int eos();
  }

  /** The config record, written to config.json as {@code "config"}. */
  Sizes config();

  default int sourceVocab() {
    return config().sourceVocab();
  }

  default int targetVocab() {
    return config().targetVocab();
  }

  default int bos() {
    return config().bos();
  }

  default int eos() {
    return config().eos();
  }

  /**
   * Mean (label-smoothed) cross-entropy over the non-PAD labels {@code targetOut} {@code [N, T]}, for padded
   * sources {@code [N, S]} and decoder inputs {@code targetIn} {@code [N, T]}; {@code teacherForcing} below 1
   * feeds the model's own argmax instead of the reference with probability {@code 1 - teacherForcing}
   * (scheduled sampling), drawing from {@code rng}.
   */
  Tensor loss(Tensor source, Tensor targetIn, Tensor targetOut, float smoothing, double teacherForcing, Rng rng);

  /** Greedy decoding of a batch of sources (ids, EOS included), at most {@code maxLength} tokens each. */
  default List<Seq2Seq.Hypothesis> greedy(List<int[]> sources, int maxLength) {
    int[] max = new int[sources.size()];
    java.util.Arrays.fill(max, maxLength);
    return greedy(sources, max);
  }

  /** Greedy decoding, sentence i stopping after {@code maxLengths[i]} tokens. */
  List<Seq2Seq.Hypothesis> greedy(List<int[]> sources, int[] maxLengths);

  /** Beam search over a batch of sources at once; see {@link Decoding#beam}. Width 1 is greedy. */
  List<Seq2Seq.Hypothesis> beam(List<int[]> sources, int width, double alpha, int[] maxLengths);

  /** Beam search over one source. */
  default Seq2Seq.Hypothesis beam(int[] source, int width, double alpha, int maxLength) {
    return beam(List.of(source), width, alpha, new int[] {maxLength}).get(0);
  }
}
