/**
 * Hot loops on {@code float[]}: GEMM, convolution, pooling, elementwise maps, reductions and softmax. The only package that uses SIMD (the Vector API) or threads ({@link org.neurite.kernels.Parallel}). Kernels see arrays, offsets and lengths; they know nothing of tensors or autograd.
 */
package org.neurite.kernels;
