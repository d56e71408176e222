package org.neurite.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.neurite.io.ModelFiles;
import org.neurite.nn.Sequential;
import org.neurite.tensor.Tensor;
import org.neurite.vision.Images;
import org.neurite.vision.Transform;
import org.neurite.vision.Transforms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code neurite predict}: the top-k classes of image files, with probabilities. */
@Command(name = "predict", description = "Classify image files (PNG, JPEG, BMP) with a saved model.")
final class PredictCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "DIR", description = Inputs.MODEL_HELP)
  Path model;

  @Option(names = "--top", defaultValue = "3", description = "How many classes to print per image.")
  int top;

  @Parameters(arity = "1..*", paramLabel = "IMAGE")
  List<Path> images;

  @Override
  public Integer call() throws Exception {
    for (Path p : images) Inputs.file("image file", p);
    model = Inputs.model(model);
    Sequential m = ModelFiles.load(model);
    JsonNode meta = ModelFiles.metadata(model);
    int[] in = m.inputShape();
    if (in.length != 3)
      throw new IllegalArgumentException(model + " takes inputs of shape " + org.neurite.tensor.Shape.str(in) + ", not images [C, H, W]"
          + ("text-classification".equals(meta.path("task").asText()) ? "; it is a text classifier: use neurite classify"
          : "; use neurite run for other inputs"));
    List<String> classes = TrainCommand.classesOf(meta);
    Transform norm = Transforms.normalize(EvalCommand.floats(meta, "mean", in[0], 0f), EvalCommand.floats(meta, "std", in[0], 1f));
    for (Path p : images) {
      Tensor x = norm.apply(Images.read(p, in[0], in[1], in[2]), null).unsqueeze(0);
      print(p.toString(), m.predict(x).data(), classes, top);
    }
    return 0;
  }

  /** One line per image: name, then "class probability" for the k most likely classes. */
  static void print(String name, float[] probs, List<String> classes, int k) {
    Integer[] order = new Integer[probs.length];
    for (int i = 0; i < order.length; i++) order[i] = i;
    java.util.Arrays.sort(order, (a, b) -> Float.compare(probs[b], probs[a]));
    StringBuilder sb = new StringBuilder(name).append(':');
    for (int i = 0; i < Math.min(k, order.length); i++) {
      int c = order[i];
      sb.append(String.format(Locale.ROOT, "  %s %.4f", c < classes.size() ? classes.get(c) : String.valueOf(c), probs[c]));
    }
    System.out.println(sb);
  }
}
