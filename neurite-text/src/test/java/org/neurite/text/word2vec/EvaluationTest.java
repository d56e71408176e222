package org.neurite.text.word2vec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.neurite.testing.Errors.assertMessage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Queries and evaluation on hand-made vectors whose answers are known. */
class EvaluationTest {
  @TempDir
  Path dir;

  // A 3-d world: x = royalty, y = gender (+ female), z = plurality-ish noise.
  static final List<String> WORDS = List.of("man", "woman", "king", "queen", "Paris", "france", "rome", "italy", "apple", "PARIS");
  static final float[] V = {
      0, -1, 0.1f,
      0, 1, 0.1f,
      1, -1, 0.1f,
      1, 1, 0.1f,
      -1, 0, 1,
      -1, 0, 2,
      -1.1f, 0.1f, 1,
      -1.1f, 0.1f, 2,
      0.2f, 0.2f, -3,
      5, 5, 5};

  static KeyedVectors kv() {
    return KeyedVectors.of(WORDS, V, 3);
  }

  @Test
  void queries() {
    KeyedVectors kv = kv();
    assertEquals("queen", kv.analogy("man", "king", "woman", 1).get(0).word());
    assertEquals("queen", kv.analogyCosMul("man", "king", "woman", 1).get(0).word());
    assertEquals("queen", kv.mostSimilar(List.of("king", "woman"), List.of("man"), 1).get(0).word());
    assertEquals("PARIS", kv.mostSimilar(List.of("queen"), List.of(), 1).get(0).word());
    assertEquals("woman", kv.mostSimilar(List.of("queen"), List.of(), 1, 3).get(0).word());   // restrict_vocab
    assertEquals("man", kv.doesntMatch(List.of("Paris", "france", "rome", "man", "italy")));
    assertEquals(1.0, kv.similarity("king", "king"), 1e-6);
    assertEquals(0.0, kv.similarity("man", "apple") * 0, 0);
    assertEquals("king", kv.mostSimilar(new float[] {1, -0.9f, 0.1f}, 1).get(0).word());
    var t = kv.toTensor(List.of("queen", "zebra", "man"));
    assertArrayEquals(new float[] {1, 1, 0.1f, 0, 0, 0, 0, -1, 0.1f}, t.contiguous().data());
    KeyedVectors four = kv.restrictVocab(4);
    assertEquals(4, four.size());
    assertArrayEquals(kv.get("queen"), four.get("queen"));
    assertMessage(IllegalArgumentException.class, () -> four.get("rome"), "\"rome\" is not in the vocabulary (4 words)");
  }

  @Test
  void analogyAccuracyPerSectionAsGensim() throws IOException {
    Path q = Files.writeString(dir.resolve("q.txt"), String.join("\n",
        ": family",
        "man king woman queen",       // correct
        "MAN WOMAN KING QUEEN",       // correct (upper case folds)
        "man king woman zebra",       // out of vocabulary
        "bad line",                   // skipped as gensim does
        ": capital",
        "paris france rome italy",    // correct: "Paris" (index 4) wins over "PARIS" for PARIS
        "man woman king apple",       // incorrect
        ""));
    Evaluation.Analogies r = Evaluation.analogies(kv(), q);
    assertEquals(List.of(new Evaluation.Section("family", 2, 0), new Evaluation.Section("capital", 1, 1)), r.sections());
    assertEquals(new Evaluation.Section("Total accuracy", 3, 1), r.total());
    assertEquals(5, r.questions());
    assertEquals(1, r.outOfVocabulary());
    assertEquals(0.75, r.total().accuracy(), 1e-12);
    // restrict_vocab = 4 leaves the capitals and "apple" out of vocabulary
    Evaluation.Analogies four = Evaluation.analogies(kv(), q, 4, true);
    assertEquals(new Evaluation.Section("Total accuracy", 2, 0), four.total());
    assertEquals(3, four.outOfVocabulary());
    Path orphan = Files.writeString(dir.resolve("orphan.txt"), "man king woman queen\n");
    assertMessage(IOException.class, () -> Evaluation.analogies(kv(), orphan), "line 1", "before any \": section\" header");
  }

  @Test
  void wordPairSpearman() throws IOException {
    Path p = Files.writeString(dir.resolve("ws.tsv"), String.join("\n",
        "# comment",
        "king\tqueen\t8",
        "man\twoman\t7",
        "king\tapple\t1",
        "man\tzebra\t5",
        "not a pair",
        ""));
    Evaluation.WordPairs r = Evaluation.wordPairs(kv(), p);
    assertEquals(3, r.pairs());
    assertEquals(1, r.outOfVocabulary());
    double[] model = {kv().similarity("king", "queen"), kv().similarity("man", "woman"), kv().similarity("king", "apple")};
    double expected = Evaluation.pearson(new double[] {3, 2, 1}, Evaluation.ranks(model));
    assertEquals(expected, r.spearman(), 1e-12);
  }

  @Test
  void ranksShareTies() {
    assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, Evaluation.ranks(new double[] {0.1, 5, 5, 7}));
    assertEquals(1.0, Evaluation.pearson(new double[] {1, 2, 3}, new double[] {2, 4, 6}), 1e-12);
  }
}
