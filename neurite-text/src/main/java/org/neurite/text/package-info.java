/**
 * Text for models: a Unicode-aware {@link org.neurite.text.Tokenizer}, a {@link org.neurite.text.Vocabulary}
 * of token ids with PAD/UNK/BOS/EOS, padding, masks and {@link org.neurite.text.LengthBuckets} for
 * {@link org.neurite.text.Sequences}, labelled text datasets ({@link org.neurite.text.TextClassificationData},
 * the bundled {@link org.neurite.text.SentencePolarity}) that become token-id tensors for {@code fit},
 * and pretrained {@link org.neurite.text.Embeddings} from word vectors. Not models or layers (those are
 * {@code org.neurite.nn}), and not Word2Vec training ({@code org.neurite.text.word2vec}).
 */
package org.neurite.text;
