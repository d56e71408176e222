package org.neurite.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.neurite.onnx.proto.OnnxProto.ModelProto;
import org.neurite.onnx.proto.OnnxProto.TensorProto;
import org.neurite.tensor.Tensor;

/**
 * ONNX's own backend tests (Debian's libonnx-testdata: a model, its inputs and the reference outputs per
 * test) run through the importer. Skipped when the data is not installed ({@code .ci/run} installs it).
 * Writes a per-operator report to {@code target/onnx-conformance.md} and fails when fewer tests pass
 * than the floors below: raise a floor when the importer learns more, never lower it to make a change pass.
 *
 * <p>A test whose tensors Neurite cannot represent (strings, complex numbers) is counted apart, as the
 * docs promise no more for them than a clear error.
 */
class ConformanceTest {
  private static final Path DATA = Path.of(System.getProperty("neurite.onnx.testdata", "/usr/include/onnx/backend/test/data"));

  /** Passing tests at least, per suite (measured December 2026, issue 21 round one). */
  private static final Map<String, Integer> FLOORS = Map.of("node", 753, "pytorch-converted", 82, "pytorch-operator", 35, "simple", 6);

  // ONNX's backend runner compares with numpy.testing.assert_allclose(rtol=1e-3, atol=1e-7).
  private static final double RTOL = 1e-3, ATOL = 1e-7;

  enum Outcome { PASS, FAIL, UNREPRESENTED }

  record Result(String suite, String name, String op, Outcome outcome, String why) {}

  @Test
  void backendSuitesPassAtLeastTheirFloors() throws IOException {
    Assumptions.assumeTrue(Files.isDirectory(DATA.resolve("node")), "ONNX backend test data not installed at " + DATA
        + " (apt-get install libonnx-testdata)");
    List<Result> results = new ArrayList<>();
    for (String suite : List.of("node", "pytorch-converted", "pytorch-operator", "simple")) {
      Path dir = DATA.resolve(suite);
      if (!Files.isDirectory(dir)) continue;
      try (Stream<Path> cases = Files.list(dir)) {
        for (Path c : cases.sorted().toList())
          if (Files.isRegularFile(c.resolve("model.onnx"))) results.add(run(suite, c));
      }
    }
    String report = report(results);
    Path out = Path.of("target", "onnx-conformance.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
    System.out.println(report.substring(0, report.indexOf("\n## ")));

    List<String> short_ = new ArrayList<>();
    for (var e : FLOORS.entrySet()) {
      long passed = results.stream().filter(r -> r.suite().equals(e.getKey()) && r.outcome() == Outcome.PASS).count();
      if (passed < e.getValue()) short_.add(e.getKey() + ": " + passed + " passed, floor " + e.getValue());
    }
    assertTrue(short_.isEmpty(), "ONNX conformance fell below its floors: " + short_ + "; see " + out.toAbsolutePath());
  }

  static Result run(String suite, Path dir) {
    String name = dir.getFileName().toString(), op = "?";
    try {
      byte[] bytes = Files.readAllBytes(dir.resolve("model.onnx"));
      ModelProto proto = ModelProto.parseFrom(bytes);
      var nodes = proto.getGraph().getNodeList();
      op = nodes.size() == 1 ? nodes.get(0).getOpType() : nodes.isEmpty() ? "(none)" : "(graph of " + nodes.size() + " nodes)";
      if (suite.equals("node") && name.endsWith("_expanded")) op = "(expanded function)";
      OnnxModel model = Onnx.load(bytes);
      // ONNX runs inference: evaluation mode, unless a node asks for training statistics (training_mode=1)
      model.train(nodes.stream().anyMatch(n -> n.getAttributeList().stream()
          .anyMatch(a -> a.getName().equals("training_mode") && a.getI() != 0)));
      Path data = dir.resolve("test_data_set_0");
      List<String> inputNames = model.inputNames(), outputNames = model.outputNames();
      Map<String, Tensor> feeds = new LinkedHashMap<>();
      List<Tensor> expected = new ArrayList<>();
      for (int i = 0; Files.exists(data.resolve("input_" + i + ".pb")); i++) {
        TensorProto t = TensorProto.parseFrom(Files.readAllBytes(data.resolve("input_" + i + ".pb")));
        String key = !t.getName().isEmpty() ? t.getName() : i < inputNames.size() ? inputNames.get(i) : "input_" + i;
        feeds.put(key, TensorCodec.decode(t, data, "input " + key).tensor());
      }
      for (int i = 0; Files.exists(data.resolve("output_" + i + ".pb")); i++)
        expected.add(TensorCodec.decode(TensorProto.parseFrom(Files.readAllBytes(data.resolve("output_" + i + ".pb"))), data,
            "output " + i).tensor());
      Map<String, Tensor> got = model.run(feeds);
      for (int i = 0; i < expected.size(); i++) {
        Tensor g = got.get(outputNames.get(i));
        String diff = compare(expected.get(i), g);
        if (diff != null) return new Result(suite, name, op, Outcome.FAIL, "output " + outputNames.get(i) + ": " + diff);
      }
      return new Result(suite, name, op, Outcome.PASS, "");
    } catch (OnnxException e) {
      String m = String.valueOf(e.getMessage());
      // Strings, sequences and optionals: types Neurite refuses by design, with a message saying so.
      boolean unrepresented = m.contains("data type") && m.contains("is not supported") || m.contains("cannot hold")
          || m.contains("is not a tensor (");
      return new Result(suite, name, op, unrepresented ? Outcome.UNREPRESENTED : Outcome.FAIL, m);
    } catch (Exception | StackOverflowError e) {
      return new Result(suite, name, op, Outcome.FAIL, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /** null when equal within ONNX's tolerances (NaN equals NaN), else what differs. */
  static String compare(Tensor want, Tensor got) {
    if (got == null) return "missing";
    if (!java.util.Arrays.equals(want.shape(), got.shape()))
      return "shape " + java.util.Arrays.toString(got.shape()) + ", expected " + java.util.Arrays.toString(want.shape());
    float[] w = want.toArray(), g = got.toArray();
    for (int i = 0; i < w.length; i++) {
      if (Float.isNaN(w[i]) && Float.isNaN(g[i])) continue;
      if (w[i] == g[i]) continue;   // infinities
      if (!(Math.abs(g[i] - w[i]) <= ATOL + RTOL * Math.abs(w[i])))
        return "element " + i + " is " + g[i] + ", expected " + w[i];
    }
    return null;
  }

  static String report(List<Result> results) {
    StringBuilder sb = new StringBuilder("# ONNX backend conformance\n\n| suite | passed | failed | unrepresented types | pass rate (represented) |\n|---|---|---|---|---|\n");
    Map<String, int[]> bySuite = new TreeMap<>();
    for (Result r : results) bySuite.computeIfAbsent(r.suite(), k -> new int[3])[r.outcome().ordinal()]++;
    for (var e : bySuite.entrySet()) {
      int[] n = e.getValue();
      sb.append(String.format("| %s | %d | %d | %d | %.1f%% |%n", e.getKey(), n[0], n[1], n[2], 100.0 * n[0] / Math.max(1, n[0] + n[1])));
    }
    sb.append("\n## Per operator (node suite): passed / represented\n\n");
    Map<String, int[]> byOp = new TreeMap<>();
    for (Result r : results) if (r.suite().equals("node")) byOp.computeIfAbsent(r.op(), k -> new int[3])[r.outcome().ordinal()]++;
    for (var e : byOp.entrySet()) {
      int[] n = e.getValue();
      sb.append(String.format("- %s: %d / %d%s%n", e.getKey(), n[0], n[0] + n[1], n[2] > 0 ? " (" + n[2] + " unrepresented)" : ""));
    }
    sb.append("\n## Failures\n\n");
    for (Result r : results)
      if (r.outcome() != Outcome.PASS) sb.append("- ").append(r.suite()).append('/').append(r.name()).append(" [").append(r.op())
          .append("] ").append(r.outcome() == Outcome.UNREPRESENTED ? "(unrepresented) " : "").append(oneLine(r.why())).append('\n');
    return sb.toString();
  }

  private static String oneLine(String s) {
    s = s == null ? "" : s.replace('\n', ' ');
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
