package org.neurite.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.neurite.text.translate.Translator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code neurite translate}: translate sentences with a saved model; optionally draw the attention alignment. */
@Command(name = "translate", description = "Translate sentences with a model saved by `neurite train translate`.")
final class TranslateCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "DIR", description = Inputs.MODEL_HELP)
  Path model;

  @Option(names = "--beam", defaultValue = "1", description = "Beam width (1: greedy).")
  int beam;

  @Option(names = "--alpha", defaultValue = "0.6", description = "GNMT length penalty for beam search (0: raw log-probability).")
  double alpha;

  @Option(names = "--heatmap", paramLabel = "PNG", description = "Write the first sentence's attention alignment as a heat map.")
  Path heatmap;

  @Parameters(arity = "1..*", paramLabel = "SENTENCE")
  List<String> sentences;

  @Override
  public Integer call() throws Exception {
    if (beam < 1) throw new IllegalArgumentException("--beam " + beam + ": must be >= 1");
    model = Inputs.model(model);
    Translator tr = Translator.load(model);
    Translator.Translation first = null;
    for (String s : sentences) {
      var t = tr.translate(s, beam, alpha);
      if (first == null) first = t;
      System.out.printf(Locale.ROOT, "%s%n  -> %s   (log p = %.3f)%n", s, t.text(), t.score());
    }
    if (heatmap != null) {
      if (tr.model() instanceof org.neurite.text.translate.Seq2Seq s2s && !s2s.config().attention())
        throw new IllegalArgumentException("--heatmap: model " + model + " has no attention (trained with --arch gru)");
      String[] rows = new String[first.attention().length];
      for (int i = 0; i < rows.length; i++) rows[i] = i < first.tokens().size() ? first.tokens().get(i) : "<eos>";
      Plots.heatMap("attention: " + sentences.get(0), rows, first.sourceTokens().toArray(new String[0]), first.attention(), null, heatmap);
      System.out.println("attention heat map written to " + heatmap);
    }
    return 0;
  }
}
