package org.neurite.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code neurite convert}: an ONNX file into a Neurite model directory whose weights are trainable. */
@Command(name = "convert", description = "Convert an .onnx file into a Neurite model directory (config.json, model.safetensors, model.onnx).")
final class ConvertCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE.onnx")
  Path onnx;

  @Parameters(index = "1", paramLabel = "DIR")
  Path dir;

  @Override
  public Integer call() throws Exception {
    org.neurite.onnx.Onnx.convert(Inputs.file("ONNX file", onnx), dir);
    var m = org.neurite.onnx.Onnx.load(dir);
    System.out.printf(java.util.Locale.ROOT, "converted %s to %s (%,d parameters)%n", onnx, dir, m.parameterCount());
    return 0;
  }
}
