package org.neurite.onnx;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.neurite.onnx.proto.OnnxProto.AttributeProto;
import org.neurite.onnx.proto.OnnxProto.NodeProto;
import org.neurite.onnx.proto.OnnxProto.TensorProto;

/**
 * One graph node as the importer sees it: its name, operator, input and output value names ("" for an
 * omitted optional input) and attributes, with typed attribute accessors whose errors name the node.
 */
final class Node {
  final int index;
  final String name, opType, domain;
  final String[] inputs, outputs;
  final Map<String, AttributeProto> attrs;

  Node(int index, NodeProto p) {
    this.index = index;
    this.name = p.getName();
    this.opType = p.getOpType();
    this.domain = p.getDomain();
    this.inputs = p.getInputList().toArray(new String[0]);
    this.outputs = p.getOutputList().toArray(new String[0]);
    this.attrs = new LinkedHashMap<>();
    for (AttributeProto a : p.getAttributeList()) attrs.put(a.getName(), a);
    attrs.remove("consumed_inputs"); // opsets < 6: a memory hint, no effect on the result
  }

  /** {@code node "name" (Conv)}, or {@code node #12 (Conv)} when the node has no name. */
  String where() {
    return (name.isEmpty() ? "node #" + index : "node \"" + name + "\"") + " (" + opType + ")";
  }

  /** The i-th input's value name, or "" when omitted. */
  String input(int i) {
    return i < inputs.length ? inputs[i] : "";
  }

  boolean hasInput(int i) {
    return !input(i).isEmpty();
  }

  /** Whether output i is wanted (present and named). */
  boolean wantsOutput(int i) {
    return i < outputs.length && !outputs[i].isEmpty();
  }

  IllegalArgumentException error(String what) {
    return new IllegalArgumentException(where() + ": " + what);
  }

  /** Rejects attributes outside {@code known}: an unknown attribute may change what the node computes. */
  void allow(String... known) throws OnnxException {
    Set<String> ok = Set.of(known);
    for (String a : attrs.keySet())
      if (!ok.contains(a))
        throw new OnnxException(where() + ": attribute \"" + a + "\" is not supported (known: " + String.join(", ", known) + ")");
  }

  boolean has(String attr) {
    return attrs.containsKey(attr);
  }

  private AttributeProto get(String attr, AttributeProto.AttributeType type) throws OnnxException {
    AttributeProto a = attrs.get(attr);
    if (a == null) return null;
    if (!a.getRefAttrName().isEmpty())
      throw new OnnxException(where() + ": attribute \"" + attr + "\" refers to a function attribute; functions are not supported");
    AttributeProto.AttributeType t = a.hasType() ? a.getType() : guess(a);
    if (t != type)
      throw new OnnxException(where() + ": attribute \"" + attr + "\" should be " + type + ", got " + t);
    return a;
  }

  // IR versions before 2 may omit the type field.
  private static AttributeProto.AttributeType guess(AttributeProto a) {
    if (a.hasF()) return AttributeProto.AttributeType.FLOAT;
    if (a.hasI()) return AttributeProto.AttributeType.INT;
    if (a.hasS()) return AttributeProto.AttributeType.STRING;
    if (a.hasT()) return AttributeProto.AttributeType.TENSOR;
    if (a.hasG()) return AttributeProto.AttributeType.GRAPH;
    if (a.getFloatsCount() > 0) return AttributeProto.AttributeType.FLOATS;
    if (a.getIntsCount() > 0) return AttributeProto.AttributeType.INTS;
    if (a.getStringsCount() > 0) return AttributeProto.AttributeType.STRINGS;
    return AttributeProto.AttributeType.UNDEFINED;
  }

  long i(String attr, long def) throws OnnxException {
    AttributeProto a = get(attr, AttributeProto.AttributeType.INT);
    return a == null ? def : a.getI();
  }

  /** An int attribute that must fit in [lo, hi]. */
  int int32(String attr, int def, int lo, int hi) throws OnnxException {
    long v = i(attr, def);
    if (v < lo || v > hi) throw new OnnxException(where() + ": attribute " + attr + "=" + v + " must be in [" + lo + ", " + hi + "]");
    return (int) v;
  }

  float f(String attr, float def) throws OnnxException {
    AttributeProto a = get(attr, AttributeProto.AttributeType.FLOAT);
    return a == null ? def : a.getF();
  }

  String s(String attr, String def) throws OnnxException {
    AttributeProto a = get(attr, AttributeProto.AttributeType.STRING);
    return a == null ? def : a.getS().toStringUtf8();
  }

  /** An INTS attribute, or null when absent. */
  long[] longs(String attr) throws OnnxException {
    AttributeProto a = get(attr, AttributeProto.AttributeType.INTS);
    if (a == null) return null;
    List<Long> l = a.getIntsList();
    long[] out = new long[l.size()];
    for (int k = 0; k < out.length; k++) out[k] = l.get(k);
    return out;
  }

  /** An INTS attribute whose values must lie in [lo, hi], or {@code def} when absent. */
  int[] ints(String attr, int[] def, long lo, long hi) throws OnnxException {
    long[] v = longs(attr);
    if (v == null) return def;
    int[] out = new int[v.length];
    for (int k = 0; k < v.length; k++) {
      if (v[k] < lo || v[k] > hi)
        throw new OnnxException(where() + ": attribute " + attr + "=" + Arrays.toString(v) + ": values must be in [" + lo + ", " + hi + "]");
      out[k] = (int) v[k];
    }
    return out;
  }

  float[] floats(String attr) throws OnnxException {
    AttributeProto a = get(attr, AttributeProto.AttributeType.FLOATS);
    if (a == null) return null;
    float[] out = new float[a.getFloatsCount()];
    for (int k = 0; k < out.length; k++) out[k] = a.getFloats(k);
    return out;
  }

  String[] strings(String attr) throws OnnxException {
    AttributeProto a = get(attr, AttributeProto.AttributeType.STRINGS);
    if (a == null) return null;
    String[] out = new String[a.getStringsCount()];
    for (int k = 0; k < out.length; k++) out[k] = a.getStrings(k).toStringUtf8();
    return out;
  }

  TensorProto t(String attr) throws OnnxException {
    AttributeProto a = get(attr, AttributeProto.AttributeType.TENSOR);
    return a == null ? null : a.getT();
  }
}
