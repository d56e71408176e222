package org.neurite.onnx.fuzz;

import org.junit.jupiter.api.Test;
import org.neurite.onnx.Onnx;
import org.neurite.testing.Fuzzer;

/**
 * Fuzz target for the ONNX reader: protobuf decoding, graph checks (cycles, undefined values, declared
 * sizes) and building the model. Seeds: the small ResNet-style export and a few operator graphs made by
 * tools/onnx/make_onnx_fixtures.py with PyTorch, in {@code src/test/resources/org/neurite/onnx/fuzz/onnx/}.
 * A malformed file must end in an OnnxException (an IOException) with a one-line message.
 */
class OnnxFuzzTest {
  @Test
  void onnx() {
    Fuzzer.run("onnx", Fuzzer.seeds(OnnxFuzzTest.class, "/org/neurite/onnx/fuzz/onnx"), data -> Onnx.load(data));
  }
}
