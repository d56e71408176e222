/**
 * Machine translation: a GRU encoder-decoder with optional additive (Bahdanau) attention
 * ({@link org.neurite.text.translate.Seq2Seq}) and a Transformer encoder-decoder
 * ({@link org.neurite.text.translate.TransformerSeq2Seq}), both behind
 * {@link org.neurite.text.translate.TranslationModel}; their padding-aware label-smoothed loss
 * ({@code org.neurite.ops.Losses.crossEntropy}), teacher-forced training with an optional scheduled
 * teacher-forcing ratio ({@link org.neurite.text.translate.TranslationTrainer}), batched greedy and
 * beam-search decoding ({@code Decoding}), parallel corpora
 * ({@link org.neurite.text.translate.ParallelCorpus}), text-level translation and model directories
 * ({@link org.neurite.text.translate.Translator}) and sacreBLEU-compatible corpus BLEU
 * ({@link org.neurite.text.translate.Bleu}).
 *
 * <p>It has no subword (BPE) tokenisation and no detokeniser: it reads whitespace- or
 * Neurite-tokenised text and writes tokens joined by spaces.
 *
 * <pre>{@code
 * var pairs = ParallelCorpus.multi30k(Path.of("data/multi30k"), "train", "en", "de");
 * var src = ParallelCorpus.vocabulary(pairs, true, 2, 0);
 * var tgt = ParallelCorpus.vocabulary(pairs, false, 2, 0);
 * var model = new Seq2Seq(new Seq2Seq.Config(src.size(), tgt.size(), 128, 128, true, true, 128, tgt.bos(), tgt.eos()));
 * // ... TranslationTrainer.epoch(sourceIds, targetIds) ...
 * var translator = new Translator(model, src, tgt, true, 60);
 * System.out.println(translator.translate("a man is sleeping .", 5, 0.6).text());
 * }</pre>
 */
package org.neurite.text.translate;
