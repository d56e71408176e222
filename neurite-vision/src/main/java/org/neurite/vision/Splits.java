package org.neurite.vision;

/** A dataset's published training and test sets. Immutable: two immutable datasets. */
public record Splits(ImageDataset train, ImageDataset test) {}
