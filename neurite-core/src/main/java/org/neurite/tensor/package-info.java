/**
 * The tensor: float32 N-d arrays over a shared storage with shape, strides and offset; creation, seeded random numbers, initialisers, shape and broadcasting rules, and strided walking. Not the math: ops live in {@code org.neurite.ops}, hot loops in {@code org.neurite.kernels}.
 */
package org.neurite.tensor;
