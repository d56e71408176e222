package org.neurite.onnx;

import org.neurite.tensor.Tensor;

/**
 * What an op's maker knows when the model loads: the node, the opset, each input's element type and,
 * for inputs known at load time (initializers that are not trained, Constant nodes, folded
 * subgraphs), its value. The maker records each output's element type with {@link #out}.
 */
final class Ctx {
  final Node node;
  final int opset;
  private final DType[] inTypes;
  private final Tensor[] constants;
  final DType[] outTypes;

  Ctx(Node node, int opset, DType[] inTypes, Tensor[] constants) {
    this.node = node;
    this.opset = opset;
    this.inTypes = inTypes;
    this.constants = constants;
    this.outTypes = new DType[node.outputs.length];
    DType first = inTypes.length > 0 && inTypes[0] != null ? inTypes[0] : DType.FLOAT;
    java.util.Arrays.fill(outTypes, first);
  }

  int inputs() {
    return node.inputs.length;
  }

  boolean has(int i) {
    return node.hasInput(i);
  }

  /** Input i's element type (FLOAT when unknown). */
  DType type(int i) {
    return i < inTypes.length && inTypes[i] != null ? inTypes[i] : DType.FLOAT;
  }

  /** Input i's value when known at load time, else null. */
  Tensor constant(int i) {
    return i < constants.length ? constants[i] : null;
  }

  void out(int i, DType t) {
    if (i < outTypes.length) outTypes[i] = t;
  }

  void outAll(DType t) {
    java.util.Arrays.fill(outTypes, t);
  }

  OnnxException error(String what) {
    return new OnnxException(node.where() + ": " + what);
  }

  /** Requires between min and max inputs. */
  void inputs(int min, int max) throws OnnxException {
    int n = node.inputs.length;
    while (n > 0 && node.inputs[n - 1].isEmpty()) n--;
    if (n < min || n > max)
      throw error("expected " + (min == max ? String.valueOf(min) : min + " to " + max) + " inputs, got " + n);
    for (int i = 0; i < min; i++) if (!has(i)) throw error("input " + i + " is required but omitted");
  }
}
