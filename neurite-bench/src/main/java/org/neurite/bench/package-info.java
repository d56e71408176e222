/**
 * End-to-end benchmarks behind {@code neurite bench}: each workload (CNN, LSTM, attention, translation,
 * GEMM, Word2Vec, the model zoo) mirrors a peer script (PyTorch or gensim) argument for argument and
 * prints the same JSON lines through one shared {@link org.neurite.bench.Harness}, so Neurite's numbers
 * pair with PyTorch's and gensim's. Not a library API and not run by {@code mvn test}; kernel
 * microbenchmarks are JMH classes in {@code org.neurite.bench.jmh}.
 */
package org.neurite.bench;
