/**
 * JMH microbenchmarks of single kernels, one class per kernel, each comparing the scalar reference with
 * the vectorised variants over {@code @Param} sizes and checking in {@code @Setup} that they agree. Not
 * the end-to-end workloads ({@code org.neurite.bench}), and never part of {@code mvn test}.
 */
package org.neurite.bench.jmh;
