/**
 * Optimizers that update parameter tensors in place from their gradients (SGD, Adam, AdamW, RMSprop),
 * gradient clipping, and the rules that pick a learning rate: epoch {@link org.neurite.optim.Schedule}s
 * and {@link org.neurite.optim.ReduceLROnPlateau}. Not the training loop, nor the callbacks that apply
 * those rules during {@code fit} (both in {@code org.neurite.train}).
 */
package org.neurite.optim;
