/**
 * Word embeddings: {@link org.neurite.text.word2vec.Word2Vec} training (skip-gram and CBOW, negative
 * sampling and hierarchical softmax, written directly on float arrays as the word2vec C tool is, with no
 * autograd), {@link org.neurite.text.word2vec.KeyedVectors} queries, the word2vec C and GloVe file
 * formats ({@link org.neurite.text.word2vec.Word2VecFormat}), and analogy and word-similarity
 * {@link org.neurite.text.word2vec.Evaluation}. Not a tokenizer: corpora arrive as tokens or as
 * whitespace-separated text.
 */
package org.neurite.text.word2vec;
