package org.neurite.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.neurite.io.ModelFiles;
import org.neurite.nn.Sequential;
import org.neurite.tensor.Tensor;
import org.neurite.train.Metrics;
import org.neurite.vision.ImageDataset;
import org.neurite.vision.Transforms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code neurite eval}: accuracy, per-class precision and recall, and the confusion matrix on a test set; for a
 * translation model, corpus BLEU and sample translations.
 */
@Command(name = "eval", description = "Evaluate a saved image or text classifier, or a translation model (BLEU), on a test set.")
final class EvalCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "DIR", description = Inputs.MODEL_HELP)
  Path model;

  @Option(names = "--data", description = "Test data, all of it unless it has a test split (MNIST's and CIFAR-10's test sets, "
      + "DIR/test when DIR has train/ and test/, TEST of TRAIN,TEST). Images: " + ImageData.HELP + " (default: mnist). Text: "
      + TextData.HELP + " (default: rt-polarity's held-out part). Translation: FILE.tsv or multi30k:DIR.")
  String data;

  @Option(names = "--columns", defaultValue = "label,text", description = "Text TSV/CSV column order: label,text (default) or text,label.")
  String columns;

  @Option(names = "--beam", defaultValue = "1", description = "Translation: beam width (1: greedy).")
  int beam;

  @Option(names = "--alpha", defaultValue = "0.6", description = "Translation: GNMT length penalty for beam search.")
  double alpha;

  @Option(names = "--limit", defaultValue = "0", description = "Translation: evaluate at most this many pairs (0: all).")
  int limit;

  @picocli.CommandLine.Mixin
  Quiet quiet;

  @Override
  public Integer call() throws Exception {
    model = Inputs.model(model);
    if (org.neurite.text.translate.Translator.isTranslationModel(model)) return evalTranslation();
    if (org.neurite.text.TextClassifier.isTextModel(model)) return evalText();
    if (data == null) data = "mnist";
    Sequential m = ModelFiles.load(model);
    JsonNode meta = ModelFiles.metadata(model);
    int[] in = m.inputShape();
    List<String> classes = TrainCommand.classesOf(meta);
    ImageDataset test = ImageData.testSet(data, in[0], in[1], in[2]);
    if (classes.isEmpty()) classes = test.classes();
    else test = relabel(test, classes);
    report(m, test.withTransform(Transforms.normalize(floats(meta, "mean", in[0], 0f), floats(meta, "std", in[0], 1f))), classes);
    return 0;
  }

  /**
   * BLEU on {@code --data}: a {@code source<TAB>target} TSV (tokenised as the model was trained) or
   * {@code multi30k:DIR[:SRC-TGT]} (its test_2016_flickr split); prints the score and five sample translations.
   */
  private int evalTranslation() throws Exception {
    if (beam < 1) throw new IllegalArgumentException("--beam " + beam + ": must be >= 1");
    if (data == null)
      throw new IllegalArgumentException("--data: a translation model needs test pairs: FILE.tsv (source<TAB>target) or multi30k:DIR");
    var tr = org.neurite.text.translate.Translator.load(model);
    List<String> inputs = new java.util.ArrayList<>(), refs = new java.util.ArrayList<>();
    if (data.startsWith("multi30k:")) {
      String[] parts = data.substring("multi30k:".length()).split(":");
      String[] langs = (parts.length > 1 ? parts[1] : "en-de").split("-");
      for (var p : org.neurite.text.translate.ParallelCorpus.multi30k(Path.of(parts[0]), "test_2016_flickr", langs[0], langs[1])) {
        inputs.add(String.join(" ", p.source()));
        refs.add(String.join(" ", p.target()));
      }
    } else {
      for (String line : java.nio.file.Files.readAllLines(Inputs.file("test pairs file", Path.of(data)))) {
        if (line.isBlank()) continue;
        String[] cols = line.split("\t", -1);
        if (cols.length < 2)
          throw new IllegalArgumentException("--data " + data + ": expected source<TAB>target lines, found \"" + line + "\"");
        inputs.add(cols[0]);
        refs.add(String.join(" ", tr.tokenize(cols[1])));
      }
    }
    if (limit > 0 && inputs.size() > limit) {
      inputs = inputs.subList(0, limit);
      refs = refs.subList(0, limit);
    }
    List<String> hyps = translate(tr, inputs, 64, beam, alpha);
    System.out.printf(Locale.ROOT, "%s, %d sentences: %s%n", beam == 1 ? "greedy" : "beam " + beam + " alpha " + alpha, inputs.size(),
        org.neurite.text.translate.Bleu.corpus(hyps, refs));
    for (int i = 0; i < Math.min(5, inputs.size()); i++)
      System.out.printf("%nsrc: %s%nref: %s%nhyp: %s%n", inputs.get(i), refs.get(i), hyps.get(i));
    return 0;
  }

  private int evalText() throws Exception {
    var clf = org.neurite.text.TextClassifier.load(model);
    var test = TextData.readAll(data == null ? "rt-polarity" : data, columns, 1).withLabels(clf.labels());
    Tensor x = clf.encode(test.texts());
    report(predict(clf.model(), x.shape(0), (from, to) -> x.slice(0, from, to)), test.targets(), clf.labels());
    return 0;
  }

  /**
   * {@code test} labelled by the model's classes: a folder numbers its own class subfolders, so one holding only some
   * of the model's classes (only cats) would otherwise be scored against the wrong labels.
   */
  static ImageDataset relabel(ImageDataset test, List<String> modelClasses) {
    if (test.classes().equals(modelClasses)) return test;
    int[] to = new int[test.classes().size()];
    for (int c = 0; c < to.length; c++) {
      to[c] = modelClasses.indexOf(test.classes().get(c));
      if (to[c] < 0)
        throw new IllegalArgumentException("--data: class \"" + test.classes().get(c) + "\" is not one of the model's classes "
            + modelClasses + "; name the class folders as the model's classes");
    }
    float[] y = test.labels().toArray();
    for (int i = 0; i < y.length; i++) y[i] = to[(int) y[i]];
    return new ImageDataset(test.images(), Tensor.of(y, y.length), modelClasses);
  }

  /** {@link org.neurite.text.translate.Translator#translateAll} a batch at a time under a progress bar: the same translations. */
  static List<String> translate(org.neurite.text.translate.Translator tr, List<String> inputs, int batch, int width, double alpha) {
    List<String> out = new java.util.ArrayList<>(inputs.size());
    try (var bar = org.neurite.train.ProgressBar.start("translating", inputs.size())) {
      for (int from = 0; from < inputs.size(); from += batch) {
        List<String> part = inputs.subList(from, Math.min(inputs.size(), from + batch));
        for (var t : tr.translateAll(part, batch, width, alpha)) out.add(t.text());
        bar.advance(part.size());
      }
    }
    return out;
  }

  /** Prints accuracy, a precision/recall table and the confusion matrix; returns the accuracy. */
  static double report(Sequential m, ImageDataset test, List<String> classes) {
    var rng = new org.neurite.tensor.Rng(0);
    Tensor out = predict(m, test.size(), (from, to) -> test.batch(java.util.stream.IntStream.range(from, to).toArray(), rng).x());
    return report(out, Tensor.of(test.labels().toArray(), test.size()), classes);
  }

  /**
   * The outputs [N, K] for inputs [N, ...] that {@code inputs(from, to)} gives a chunk at a time, with a progress bar;
   * chunks also keep a large test set from being transformed into one array at once.
   */
  static Tensor predict(Sequential m, int n, java.util.function.BiFunction<Integer, Integer, Tensor> inputs) {
    if (n == 0) throw new IllegalArgumentException("--data: no test samples to evaluate");
    int chunk = 1024, k = 0;
    float[] out = null;
    try (var bar = org.neurite.train.ProgressBar.start("evaluating", n)) {
      for (int from = 0; from < n; from += chunk) {
        int to = Math.min(n, from + chunk);
        float[] y = m.predict(inputs.apply(from, to)).toArray();   // y: [to - from, K]
        if (out == null) out = new float[Math.multiplyExact(n, k = y.length / (to - from))];
        System.arraycopy(y, 0, out, from * k, y.length);
        bar.advance(to - from);
      }
    }
    return Tensor.of(out, n, k);
  }

  static double report(Tensor out, Tensor labels, List<String> classes) {
    long[][] cm = Metrics.confusionMatrix(out, labels, classes.size());
    long ok = 0, n = 0;
    for (int i = 0; i < cm.length; i++) for (int j = 0; j < cm.length; j++) {
      n += cm[i][j];
      if (i == j) ok += cm[i][j];
    }
    double acc = (double) ok / n;
    System.out.printf(Locale.ROOT, "accuracy: %.4f (%d/%d)%n%n%-14s %9s %9s %9s%n", acc, ok, n, "class", "precision", "recall",
        "support");
    for (int c = 0; c < cm.length; c++) {
      long tp = cm[c][c], predicted = 0, actual = 0;
      for (int k = 0; k < cm.length; k++) {
        predicted += cm[k][c];
        actual += cm[c][k];
      }
      System.out.printf(Locale.ROOT, "%-14s %9.4f %9.4f %9d%n", classes.get(c), predicted == 0 ? 0 : (double) tp / predicted,
          actual == 0 ? 0 : (double) tp / actual, actual);
    }
    System.out.println("\nconfusion matrix (rows: true class, columns: predicted):");
    for (long[] row : cm) {
      StringBuilder sb = new StringBuilder();
      for (long v : row) sb.append(String.format(Locale.ROOT, "%6d", v));
      System.out.println(sb);
    }
    return acc;
  }

  static float[] floats(JsonNode meta, String key, int n, float fallback) {
    float[] v = new float[n];
    java.util.Arrays.fill(v, fallback);
    JsonNode a = meta.path(key);
    for (int i = 0; i < Math.min(n, a.size()); i++) v[i] = (float) a.get(i).asDouble();
    return v;
  }
}
