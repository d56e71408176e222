package org.neurite.vision;

/**
 * A dataset's published training and test sets. Immutable: two immutable datasets.
 *
 * @param train the training set
 * @param test the test set
 */
public record Splits(ImageDataset train, ImageDataset test) {}
