package org.neurite.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** The commands' input paths: checked before use, so a missing one is named as what it should have been. */
final class Inputs {
  private Inputs() {}

  static final String MODEL_HELP = "The folder train wrote (OUT), or the model folder in it (OUT/model).";

  /**
   * {@code --model}: a model folder (config.json), a folder {@code convert} wrote (model.onnx), an .onnx file, or the
   * OUT folder that {@code train} or {@code finetune} wrote, which holds the model in OUT/model.
   */
  static Path model(Path p) {
    if (!Files.exists(p))
      throw new IllegalArgumentException("--model " + p + ": no such file or folder; expected the OUT folder of train or "
          + "finetune, or the model folder in it (OUT/model)");
    boolean isModel = Files.exists(p.resolve("config.json")) || Files.exists(p.resolve(org.neurite.onnx.Onnx.GRAPH));
    if (Files.isDirectory(p) && !isModel && Files.isDirectory(p.resolve("model"))) return p.resolve("model");
    return p;
  }

  /** {@code p}, which must be a file: "{@code what} not found: p" otherwise. */
  static Path file(String what, Path p) {
    if (!Files.isRegularFile(p))
      throw new IllegalArgumentException(what + (Files.isDirectory(p) ? " is a folder, not a file: "
          : Files.exists(p) ? " is not a regular file (a device, pipe or socket): " : " not found: ") + p);
    return p;
  }
}
