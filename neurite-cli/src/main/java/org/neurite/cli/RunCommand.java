package org.neurite.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.neurite.io.ModelFiles;
import org.neurite.io.Npy;
import org.neurite.nn.Sequential;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code neurite run}: a saved model's forward pass on a NumPy array, for scripting and cross-checks. */
@Command(name = "run", description = "Run a saved model (a Neurite model directory or an .onnx file) on a .npy array and write the outputs as .npy.")
final class RunCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "DIR|FILE.onnx", description = Inputs.MODEL_HELP + " Also an .onnx file, or a folder made by convert.")
  Path model;

  @Option(names = "--input", required = true, paramLabel = "X.npy", description = "Inputs, batch axis first.")
  Path input;

  @Option(names = "--output", required = true, paramLabel = "Y.npy", description = "Where to write the outputs.")
  Path output;

  @Option(names = "--batch-size", defaultValue = "256", description = "Samples per forward pass.")
  int batchSize;

  @Override
  public Integer call() throws Exception {
    model = Inputs.model(model);
    Inputs.file("input file", input);
    if (batchSize < 1) throw new IllegalArgumentException("--batch-size (" + batchSize + ") must be >= 1");
    if (isOnnx(model)) {
      org.neurite.onnx.Onnx.run(model, input, output, batchSize);
      System.out.println("wrote " + output);
      return 0;
    }
    Sequential m = ModelFiles.load(model);
    Tensor x = Npy.read(input);
    int[] want = m.inputShape();
    if (x.rank() != want.length + 1 || !Shape.same(java.util.Arrays.copyOfRange(x.shape(), 1, x.rank()), want))
      throw new IllegalArgumentException("run: " + input + " has shape " + Shape.str(x.shape()) + ", the model expects [N, "
          + Shape.str(want).substring(1));
    Tensor y = org.neurite.train.Trainer.predict(m, x, batchSize);
    Npy.write(output, y);
    System.out.println("wrote " + output + " " + Shape.str(y.shape()));
    return 0;
  }

  /** An .onnx file, or a directory that {@code neurite convert} wrote (it holds model.onnx). */
  static boolean isOnnx(Path p) {
    return p.getFileName() != null && p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".onnx")
        || java.nio.file.Files.isRegularFile(p.resolve(org.neurite.onnx.Onnx.GRAPH));
  }
}
