package org.neurite.nn;

/**
 * Convolution and pooling padding, as Keras names it: none ("valid") or enough to keep the size ("same").
 *
 * <p>Immutable.
 */
public enum Padding { VALID, SAME }
