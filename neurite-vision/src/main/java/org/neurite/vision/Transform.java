package org.neurite.vision;

import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * A per-sample image transform: normalisation, or a random augmentation that draws from the
 * {@link Rng} it is given and from nothing else. Implementations must not write into their input (it
 * may be the dataset's storage) and may return it unchanged. Build them with {@link Transforms}.
 *
 * <p>Implementations must be thread-safe (loader threads call them at once); the built-in ones ({@link
 * Transforms}) are immutable.
 */
@FunctionalInterface
public interface Transform {
  /**
   * x: {@code [C, H, W]}; returns {@code [C', H', W']}.
   *
   * @param x the image {@code [C, H, W]}; not written to
   * @param rng the only source of randomness
   * @return the transformed image, or {@code x} itself when nothing changes
   */
  Tensor apply(Tensor x, Rng rng);

  /**
   * This transform, then {@code next}.
   *
   * @param next the transform to apply second
   * @return the composition
   */
  default Transform andThen(Transform next) {
    return Transforms.compose(this, next);
  }
}
