/**
 * Images for training: readers (MNIST and Fashion-MNIST IDX, CIFAR-10 binary batches and JPEG zips, a
 * folder or zip with one subfolder per class), an in-memory {@link org.neurite.vision.ImageDataset} that
 * plugs into {@code org.neurite.train}, and per-sample transforms (normalisation and seeded augmentation)
 * with their command-line spelling. Pixels are float32 in [0, 1], laid out [C, H, W] per image and
 * [N, C, H, W] per set, as PyTorch. Not the models (a later model zoo) and not the training loop.
 */
package org.neurite.vision;
