package org.neurite.text.word2vec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.neurite.testing.Errors.assertMessage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Training: words sharing contexts end up close, a seed with one worker repeats, vocabulary updates, errors. */
class Word2VecTest {
  static final List<String> PETS = List.of("cat", "dog", "pet", "fur", "paw", "kitten", "puppy", "vet");
  static final List<String> CARS = List.of("car", "road", "wheel", "engine", "drive", "fuel", "truck", "tire");

  @TempDir
  Path dir;

  /** Sentences drawn from one of two topics, with shared filler words. */
  static List<List<String>> topics(int n, long seed) {
    Random r = new Random(seed);
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<String> topic = i % 2 == 0 ? PETS : CARS, s = new ArrayList<>();
      for (int j = 0; j < 8; j++) s.add(r.nextInt(4) == 0 ? List.of("the", "a", "and").get(r.nextInt(3)) : topic.get(r.nextInt(8)));
      out.add(s);
    }
    return out;
  }

  static Word2Vec.Builder small() {
    return Word2Vec.builder().vectorSize(16).window(3).minCount(1).epochs(5).sample(0).progressSeconds(0);
  }

  @ParameterizedTest(name = "sg={0} hs={1} negative={2} cbowMean={3} workers={4}")
  @CsvSource({"true, false, 5, true, 1", "false, false, 5, true, 1", "false, false, 5, false, 1", "true, true, 0, true, 1",
      "false, true, 0, true, 1", "true, true, 3, true, 2", "false, false, 5, true, 2"})
  void wordsOfOneTopicEndUpClose(boolean sg, boolean hs, int negative, boolean cbowMean, int workers) {
    var b = small().hs(hs).negative(negative).cbowMean(cbowMean).workers(workers)
        .alpha(sg ? 0.025 : cbowMean ? 0.05 : 0.005);   // a sum of contexts saturates at gensim's alpha too
    KeyedVectors wv = (sg ? b.sg() : b.cbow()).build().train(topics(1500, 1)).wv();
    double within = 0, across = 0;
    for (int i = 0; i < 8; i++) {
      for (int j = 0; j < 8; j++) {
        if (i != j) within += wv.similarity(PETS.get(i), PETS.get(j)) + wv.similarity(CARS.get(i), CARS.get(j));
        across += 2 * wv.similarity(PETS.get(i), CARS.get(j));
      }
    }
    within /= 2 * 56;
    across /= 2 * 64;
    assertTrue(within > across + 0.2, "within " + within + ", across " + across);
    for (KeyedVectors.Similar s : wv.mostSimilar("cat", 3)) assertTrue(PETS.contains(s.word()), wv.mostSimilar("cat", 3).toString());
  }

  @Test
  void oneWorkerAndASeedRepeat() throws IOException {
    Path f = dir.resolve("c.txt");
    Files.write(f, topics(400, 2).stream().map(s -> String.join(" ", s)).toList());
    float[] a = small().sg().workers(1).seed(7).sample(1e-2).build().train(f).wv().get("cat");
    float[] b = small().sg().workers(1).seed(7).sample(1e-2).build().train(f).wv().get("cat");
    float[] c = small().sg().workers(1).seed(8).sample(1e-2).build().train(f).wv().get("cat");
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, c));
    // The same text as a file or as sentences trains the same vectors.
    float[] d = small().sg().workers(1).seed(7).sample(1e-2).build().train(topics(400, 2)).wv().get("cat");
    assertArrayEquals(a, d);
  }

  @Test
  void statsCountRawAndSubsampledWords() {
    Word2Vec w = small().epochs(2).sample(1e-3).build().train(topics(500, 3));
    Word2Vec.TrainingStats st = w.lastTraining();
    assertEquals(2 * 500 * 8, st.rawWords());
    assertTrue(st.effectiveWords() > 0 && st.effectiveWords() < st.rawWords(), st.toString());
    assertTrue(w.vocab().count(0) >= w.vocab().count(w.vocab().size() - 1));
  }

  @Test
  void vocabularyUpdateKeepsTrainedRowsAndLearnsNewWords() {
    Word2Vec w = small().build().train(topics(600, 4));
    float[] cat = w.wv().get("cat");
    List<List<String>> more = new ArrayList<>(topics(600, 5));
    Random r = new Random(6);
    for (int i = 0; i < 300; i++) {
      List<String> s = new ArrayList<>();
      for (int j = 0; j < 8; j++) s.add(r.nextBoolean() ? "kitty" : PETS.get(r.nextInt(8)));
      more.add(s);
    }
    w.updateVocab(more);
    assertArrayEquals(cat, w.wv().get("cat"));
    assertTrue(w.wv().contains("kitty"));
    assertEquals(w.vocab().size() - 1, w.vocab().indexOf("kitty"));
    w.train(more);
    assertTrue(w.wv().similarity("kitty", "cat") > w.wv().similarity("kitty", "car"));
  }

  @Test
  void errorsNameWhatWasWrong() throws IOException {
    Path empty = Files.writeString(dir.resolve("empty.txt"), "\n \n\t\n");
    assertMessage(IllegalArgumentException.class, () -> small().build().train(empty), "empty.txt is empty");
    assertMessage(IllegalArgumentException.class, () -> small().build().train(List.of()), "is empty");
    assertMessage(IllegalArgumentException.class, () -> Word2Vec.builder().minCount(5).build().train(List.of(List.of("a", "b"))),
        "minCount=5", "lower minCount");
    assertMessage(java.io.UncheckedIOException.class, () -> small().build().train(dir.resolve("nope.txt")), "nope.txt does not exist");
    assertMessage(IllegalStateException.class, () -> small().build().wv(), "no vocabulary yet");
    assertMessage(IllegalArgumentException.class, () -> Word2Vec.builder().window(0).build(), "window (0) must be >= 1");
    assertMessage(IllegalArgumentException.class, () -> Word2Vec.builder().negative(0).build(), "negative=0 and hs=false");
    KeyedVectors wv = small().build().train(topics(50, 7)).wv();
    assertMessage(IllegalArgumentException.class, () -> wv.get("zebra"), "word \"zebra\" is not in the vocabulary");
    assertMessage(IllegalArgumentException.class, () -> wv.mostSimilar("Cat", 3), "\"Cat\"", "did you mean \"cat\"");
  }
}
