/**
 * ONNX import into trainable Neurite models, and export of Neurite models to ONNX. {@link
 * org.neurite.onnx.Onnx#load} reads a {@code .onnx} file (opsets 1 to 21) into an {@link
 * org.neurite.onnx.OnnxModel}: a {@link org.neurite.nn.Module} whose initializers are parameters and
 * whose forward interprets the graph node by node with Neurite's differentiable ops, so it trains like
 * any other model. {@link org.neurite.onnx.Onnx#export} writes a built {@link org.neurite.nn.Sequential}
 * (or an imported model with its current weights) back to ONNX.
 *
 * <p>Not here: an ONNX runtime for other tensor types (every value is float32 inside Neurite; integer
 * tensors are whole numbers in float32, exact to 2^24), control flow (If, Loop, Scan), sparse tensors,
 * strings, and the protobuf classes themselves, which protoc generates at build time from the official
 * {@code src/main/proto/onnx.proto} into {@code org.neurite.onnx.proto}.
 */
package org.neurite.onnx;
