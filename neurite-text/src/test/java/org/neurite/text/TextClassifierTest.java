package org.neurite.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.nn.Seeds;
import org.neurite.train.Fit;

/** The user-facing text classifier: learns, explains with attention, survives odd input, saves and loads. */
class TextClassifierTest {
  @TempDir
  Path dir;

  /** A toy sentiment set: the label is decided by one cue word among filler words. */
  private static TextClassificationData toy(int n, long seed) {
    java.util.Random r = new java.util.Random(seed);
    String[] filler = {"the", "movie", "was", "a", "plot", "and", "actors", "story", "it", "very"};
    List<String> labels = new ArrayList<>(), texts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean pos = r.nextBoolean();
      StringBuilder sb = new StringBuilder();
      int len = 3 + r.nextInt(6), cue = r.nextInt(len);
      for (int t = 0; t < len; t++) sb.append(t == cue ? (pos ? "great" : "awful") : filler[r.nextInt(filler.length)]).append(' ');
      labels.add(pos ? "pos" : "neg");
      texts.add(sb.toString().trim());
    }
    return TextClassificationData.of(labels, texts);
  }

  private static TextClassifier trained(String arch) {
    TextClassificationData data = toy(400, 1);
    Vocabulary vocab = Vocabulary.builder().build(data.tokens());
    Seeds.set(7);
    TextClassifier clf = TextClassifier.create(arch, vocab, data.labels(), 12, null);
    clf.model().compile("adam", "sparse_categorical_crossentropy", "accuracy");
    clf.model().fit(data.toDataset(vocab, 12), Fit.epochs(4).batchSize(32).seed(1).verbose(false));
    return clf;
  }

  @Test
  void attentionModelLearnsTheCueAndLooksAtIt() {
    TextClassifier clf = trained("bilstm-attention");
    TextClassificationData test = toy(100, 2);
    int ok = 0;
    var predictions = clf.classify(test.texts());
    for (int i = 0; i < test.size(); i++) if (predictions.get(i).label().equals(test.labels().get(test.label(i)))) ok++;
    assertTrue(ok >= 95, "accuracy " + ok + "/100");
    TextClassifier.Prediction p = clf.classify("the movie was great and the story");
    assertEquals("pos", p.label());
    assertNotNull(p.attention());
    assertEquals(p.tokens().size(), p.attention().length);
    int cue = p.tokens().indexOf("great"), best = 0;
    for (int t = 1; t < p.attention().length; t++) if (p.attention()[t] > p.attention()[best]) best = t;
    assertEquals(cue, best, "attention " + java.util.Arrays.toString(p.attention()) + " over " + p.tokens());
  }

  @Test
  void oddInputIsHandledAsDocumented() {
    TextClassifier clf = trained("lstm");
    TextClassifier.Prediction empty = clf.classify("");
    assertTrue(empty.tokens().isEmpty());
    assertEquals(1f, empty.probabilities().values().stream().reduce(0f, Float::sum), 1e-5f);
    TextClassifier.Prediction unknown = clf.classify("zzyzx qwerty");
    assertEquals(List.of(Vocabulary.UNK, Vocabulary.UNK), unknown.tokens());
    String longText = "the movie was great " + "and the plot ".repeat(40);
    TextClassifier.Prediction cut = clf.classify(longText);
    assertEquals(clf.maxLen(), cut.tokens().size());
    assertEquals("pos", cut.label());
    assertNotNull(empty.toString());
  }

  @Test
  void savesAndLoadsWithTheSameAnswers() throws IOException {
    TextClassifier clf = trained("transformer");
    List<String> texts = List.of("awful plot", "great actors and story", "");
    var before = clf.classify(texts);
    clf.save(dir.resolve("m"));
    assertTrue(TextClassifier.isTextModel(dir.resolve("m")));
    TextClassifier back = TextClassifier.load(dir.resolve("m"));
    assertEquals(clf.labels(), back.labels());
    assertEquals(clf.vocabulary(), back.vocabulary());
    var after = back.classify(texts);
    // Equal up to float rounding: a kernel's lane sums may run in a different order once the JIT has compiled it.
    for (int i = 0; i < texts.size(); i++) {
      for (String label : clf.labels())
        assertEquals(before.get(i).probabilities().get(label), after.get(i).probabilities().get(label), 1e-6f);
      assertEquals(before.get(i).tokens(), after.get(i).tokens());
    }
  }

  @Test
  void badArgumentsAreClearErrors() {
    Vocabulary vocab = Vocabulary.builder().build(List.of(List.of("a", "b")));
    var e = assertThrows(IllegalArgumentException.class, () -> TextClassifier.create("cnn", vocab, List.of("x", "y"), 5, null));
    assertTrue(e.getMessage().contains("bilstm-attention"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TextClassifier.create("lstm", vocab, List.of("x"), 5, null));
    assertTrue(e.getMessage().contains("2 labels"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> TextClassifier.create("lstm", vocab, List.of("x", "y"), 5, org.neurite.tensor.Tensor.zeros(3, 4)));
    assertTrue(e.getMessage().contains("[" + vocab.size() + ", dim]"), e.getMessage());
    var data = TextClassificationData.of(List.of("pos", "neg"), List.of("a", "b"));
    e = assertThrows(IllegalArgumentException.class, () -> data.withLabels(List.of("neg", "neutral")));
    assertTrue(e.getMessage().contains("pos"), e.getMessage());
  }
}
