/**
 * Layers and models: {@link org.neurite.nn.Module} (named parameters and sub-modules, train/eval mode,
 * {@code compile}/{@code fit}/{@code predict}), {@link org.neurite.nn.Sequential}, and the built-in
 * layers (dense, convolution, pooling, normalisation, dropout, embeddings, recurrent layers, attention and
 * Transformer blocks), each with one {@code Config} record and PyTorch's parameter names. Not the math:
 * a layer's forward calls the differentiable ops of {@code org.neurite.ops}; not the training loop, losses
 * or callbacks ({@code org.neurite.train}); not saving and loading ({@code org.neurite.io}).
 *
 * <p>Thread safety: a module holds mutable state (parameters, gradients, the train/eval flag, lazily built
 * shapes), so a module is not thread-safe; give each thread its own model, or share one read-only model
 * for inference only after it is built and put in evaluation mode, as each class's comment says.
 */
package org.neurite.nn;
