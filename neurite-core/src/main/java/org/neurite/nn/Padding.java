package org.neurite.nn;

/** Convolution and pooling padding, as Keras names it: none ("valid") or enough to keep the size ("same"). */
public enum Padding { VALID, SAME }
