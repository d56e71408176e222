package org.neurite.onnx;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.testing.Golden;
import org.neurite.tensor.Tensor;

/**
 * Every operator case of tools/onnx/make_onnx_fixtures.py: the tiny graph, exported by PyTorch (or built
 * with onnx.helper), is imported and run; outputs, the gradients of sum(y * u) with respect to the inputs
 * and to every trained initializer, and updated running statistics must match PyTorch's float64 values.
 */
class OnnxOpsTest {
  private static final Golden.Fixture FIXTURE = Golden.load(Fixtures.ROOT + "ops.safetensors");

  static Stream<String> cases() {
    return FIXTURE.caseNames().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesPyTorch(String name) {
    Golden.Case c = FIXTURE.get(name);
    OnnxModel m = Fixtures.load("ops/" + name + ".onnx");
    m.train(c.expected("train").item() != 0);
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    List<String> inputs = m.inputNames();
    for (int i = 0; i < inputs.size(); i++) {
      Tensor x = c.has("grad_x" + i) ? c.input("x" + i) : c.tensor("x" + i);
      feeds.put(inputs.get(i), x);
    }
    Map<String, Tensor> out = m.run(feeds);
    List<String> names = m.outputNames();
    Tensor loss = null;
    for (int i = 0; i < names.size(); i++) {
      Tensor y = out.get(names.get(i));
      Golden.assertClose(name + " y" + i, c.expected("y" + i), y, 1e-5, 1e-4);
      Tensor term = y.mul(c.expected("u" + i)).sum();
      loss = loss == null ? term : loss.add(term);
    }
    // Input gradients through Golden's check (inputs were made with c.input), then the parameters'.
    if (loss.requiresGrad()) loss.backward();
    for (int i = 0; i < inputs.size(); i++) {
      if (!c.has("grad_x" + i)) continue;
      Tensor g = feeds.get(inputs.get(i)).grad();
      Golden.assertClose(name + " grad_x" + i, c.expected("grad_x" + i), g == null ? Tensor.zerosLike(c.expected("grad_x" + i)) : g,
          1e-5, 1e-4);
    }
    Map<String, Tensor> params = m.namedParameters(), state = m.stateDict();
    for (var e : FIXTURE.tensors().entrySet()) {
      String k = e.getKey();
      if (k.startsWith(name + "/grad_p:")) {
        String onnxName = k.substring((name + "/grad_p:").length());
        String own = m.stateNames().get(onnxName);
        assertNotNull(own, name + ": initializer " + onnxName + " is not a parameter; parameters: " + params.keySet());
        Tensor p = params.get(own);
        assertNotNull(p, name + ": " + own + " is not trainable");
        Golden.assertClose(name + " grad " + onnxName, e.getValue(), p.grad() == null ? Tensor.zerosLike(p) : p.grad(), 1e-5, 1e-4);
      } else if (k.startsWith(name + "/state:")) {
        String onnxName = k.substring((name + "/state:").length());
        Golden.assertClose(name + " " + onnxName, e.getValue(), state.get(m.stateNames().get(onnxName)), 1e-6, 1e-5);
      }
    }
  }
}
