/**
 * Internal: the ONNX protobuf message classes ({@code OnnxProto}), generated at build time by protoc from
 * {@code src/main/proto/onnx.proto} (lite runtime). Not part of Neurite's public API and left out of the
 * published Javadoc: {@code org.neurite.onnx} reads and writes ONNX files and exposes Neurite types only.
 * See the protobuf-java documentation for the generated API; its messages are immutable and its builders
 * are not thread-safe.
 */
package org.neurite.onnx.proto;
