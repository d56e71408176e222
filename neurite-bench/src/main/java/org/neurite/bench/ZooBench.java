package org.neurite.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.neurite.autograd.GradMode;
import org.neurite.kernels.Parallel;
import org.neurite.nn.Module;
import org.neurite.nn.Seeds;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.vision.Zoo;

/**
 * ResNet-18 and MobileNetV2 inference at 3x224x224, as {@code ../shared/peers/torch_zoo.py}: the
 * network built by {@link Zoo} (random weights, evaluation mode), or with {@code onnxDir} the
 * torchvision export {@code <model>.onnx} in it imported by neurite-onnx (tools/onnx/export_torchvision.py
 * --full writes resnet18.onnx and mobilenet_v2.onnx). Lines pair with the peer's by model, input and
 * batch; "source" says which Neurite network ran.
 *
 * <p>Not thread-safe: a benchmark run sets the process-wide kernel thread count and times the whole
 * machine; run one at a time.
 */
public final class ZooBench {
  private ZooBench() {}

  /**
   * Runs the models and prints one line per measurement.
   *
   * @param h the harness that prints the JSON lines
   * @param models the models to run: {@code resnet18}, {@code resnet34}, {@code mobilenet_v2}
   * @param batch images per forward pass
   * @param threads kernel threads (the process-wide count is set to it)
   * @param reps timed repetitions per measurement
   * @param minRepS the least seconds one repetition lasts (short calls are repeated within it)
   * @param onnxDir a folder of torchvision exports {@code <model>.onnx} to run instead of the zoo's
   *     networks, or {@code null}
   * @throws IOException if an ONNX file cannot be read
   */
  public static void run(Harness h, List<String> models, int batch, int threads, int reps, double minRepS, Path onnxDir)
      throws IOException {
    Parallel.setThreads(threads);
    Tensor x = Tensor.randn(new Rng(0), batch, 3, 224, 224);
    for (String name : models) {
      Seeds.set(0);
      Module m;
      if (onnxDir != null) {
        m = org.neurite.onnx.Onnx.load(onnxDir.resolve(name + ".onnx"));
      } else {
        String zoo = switch (name) {
          case "resnet18", "resnet34" -> name;
          case "mobilenet_v2" -> "mobilenetv2";
          default -> throw new IllegalArgumentException("bench zoo: unknown model " + name + " (resnet18, resnet34, mobilenet_v2)");
        };
        m = Zoo.byName(zoo, 3, 224, 224, 1000).model();
      }
      m.eval();
      Module model = m;
      Harness.Stats st = h.bench(() -> {
        try (var off = GradMode.off()) {
          model.forward(x);
        }
      }, batch, reps, 2, minRepS, 10000);
      h.emit("zoo_infer", Harness.params("model", name, "input", List.of(3, 224, 224), "batch", batch), "samples/s", st, threads,
          Map.of("blas_threads", threads, "source", onnxDir != null ? "onnx:" + onnxDir.resolve(name + ".onnx") : "zoo"));
    }
  }
}
