package org.neurite.vision;

/** A dataset's published training and test sets. */
public record Splits(ImageDataset train, ImageDataset test) {}
