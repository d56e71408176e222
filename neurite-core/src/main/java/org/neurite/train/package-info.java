/**
 * The training loop behind {@code fit}, {@code evaluate} and {@code predict} ({@link
 * org.neurite.train.Trainer}, with its options {@link org.neurite.train.Fit} and result {@link
 * org.neurite.train.History}), datasets and their background batch loader, losses, metrics, and the
 * Keras-style callbacks (early stopping, checkpoints, learning-rate schedules, CSV logging, progress).
 * Not the optimizers or the learning-rate rules themselves ({@code org.neurite.optim}), not the layers
 * ({@code org.neurite.nn}), and not dataset readers for images or text (the vision and text modules).
 */
package org.neurite.train;
