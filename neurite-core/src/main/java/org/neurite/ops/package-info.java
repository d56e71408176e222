/**
 * Differentiable ops: one file per family, each forward followed by its backward. Ops do the bookkeeping (shapes, broadcasting, checks, recording on the tape) and call kernels for the loops; they know nothing of threads or SIMD.
 */
package org.neurite.ops;
