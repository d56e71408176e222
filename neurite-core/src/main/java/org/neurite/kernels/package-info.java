/**
 * Hot loops on {@code float[]}: GEMM, convolution, pooling, elementwise maps, reductions and softmax. The only package that uses SIMD (the Vector API) or threads ({@link org.neurite.kernels.Parallel}). Kernels see arrays, offsets and lengths; they know nothing of tensors or autograd. The Vector API code lives in {@code *Vector} classes beside scalar twins, and {@link org.neurite.kernels.Simd} picks one once per JVM, so Neurite also runs without {@code --add-modules jdk.incubator.vector}.
 */
package org.neurite.kernels;
