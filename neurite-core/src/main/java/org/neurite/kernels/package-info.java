/**
 * Internal: not part of Neurite's public API, left out of the published Javadoc, and free to change in any
 * release. Hot loops on {@code float[]}: GEMM, convolution, pooling, elementwise maps, reductions and
 * softmax: where most of the core's SIMD loops (the Vector API) live, and its one pool of compute threads
 * ({@link org.neurite.kernels.Parallel}). Kernels see arrays, offsets and lengths; they know nothing of
 * tensors or
 * autograd, and they check no arguments: call them through {@code org.neurite.ops} and {@code
 * org.neurite.nn}, which own the shapes.
 *
 * <p>The classes are public only because ops, the other Neurite modules and the benchmarks call them
 * across packages. Thread safety: the kernels are static methods whose only static state is per-thread
 * scratch ({@code ThreadLocal}) and {@link org.neurite.kernels.Parallel}'s one worker pool, so concurrent
 * calls are safe as long as they write to disjoint output arrays (and no thread calls
 * {@link org.neurite.kernels.Parallel#setThreads} meanwhile).
 */
package org.neurite.kernels;
