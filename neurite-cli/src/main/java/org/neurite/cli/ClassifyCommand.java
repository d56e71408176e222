package org.neurite.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.neurite.text.TextClassifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code neurite classify}: label, probabilities and per-token attention weights for sentences. */
@Command(name = "classify", description = "Classify texts with a saved text model; print label, probabilities and attention weights.")
final class ClassifyCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "DIR", description = Inputs.MODEL_HELP)
  Path model;

  @Option(names = "--heatmap", paramLabel = "PNG", description = "Write the attention weights of the texts as a heat map (attention models).")
  Path heatmap;

  @Parameters(arity = "1..*", paramLabel = "TEXT")
  List<String> texts;

  @Override
  public Integer call() throws Exception {
    model = Inputs.model(model);
    TextClassifier clf = TextClassifier.load(model);
    var predictions = clf.classify(texts);
    for (int i = 0; i < texts.size(); i++) print(texts.get(i), predictions.get(i));
    if (heatmap != null) {
      if (predictions.get(0).attention() == null)
        throw new IllegalArgumentException("--heatmap: model " + model + " (" + clf.architecture() + ") has no attention layer");
      Plots.attention(predictions, heatmap);
      System.out.println("attention heat map written to " + heatmap);
    }
    return 0;
  }

  static void print(String text, TextClassifier.Prediction p) {
    System.out.printf(Locale.ROOT, "%s%n  -> %s%n", text, p);
    if (p.tokens().isEmpty()) System.out.println("  (no words: the answer is the model's prior)");
    if (p.attention() != null && !p.tokens().isEmpty()) {
      StringBuilder sb = new StringBuilder("  attention:");
      for (int t = 0; t < p.tokens().size(); t++) sb.append(String.format(Locale.ROOT, " %s %.2f", p.tokens().get(t), p.attention()[t]));
      System.out.println(sb);
    }
  }
}
