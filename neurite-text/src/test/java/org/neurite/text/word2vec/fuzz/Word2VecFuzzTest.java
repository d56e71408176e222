package org.neurite.text.word2vec.fuzz;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.testing.Fuzzer;
import org.neurite.text.word2vec.Evaluation;
import org.neurite.text.word2vec.KeyedVectors;
import org.neurite.text.word2vec.Word2VecFormat;

/**
 * Fuzz targets for neurite-text's readers: word2vec text and binary vectors (read directly and through
 * the format detection of {@code read}), GloVe text, and the evaluation files (questions-words
 * analogies, WordSim-353 / SimLex-999 pairs). Seeds are gensim's own output and excerpts of the real
 * evaluation files, in {@code src/test/resources/org/neurite/text/word2vec/fuzz/TARGET/}.
 */
class Word2VecFuzzTest {
  private static final String ROOT = "/org/neurite/text/word2vec/fuzz/";
  @TempDir
  Path dir;
  KeyedVectors kv;

  @BeforeEach
  void vectors() throws Exception {
    Path f = Fuzzer.scratch("v.txt");
    Files.writeString(f, "6 3\nathens 1 0 0\ngreece 0 1 0\nbaghdad 1 0.5 0\niraq 0 1 0.5\nlove 0.2 0.2 1\nsex 0.3 0.1 0.9\n");
    kv = Word2VecFormat.readText(f);
  }

  @Test
  void word2vecText() {
    Path f = Fuzzer.scratch("vectors.txt");
    Fuzzer.run("word2vec-text", Fuzzer.seeds(Word2VecFuzzTest.class, ROOT + "word2vec-text"), data -> {
      Files.write(f, data);
      return Word2VecFormat.readText(f);
    });
  }

  @Test
  void word2vecBinary() {
    Path f = Fuzzer.scratch("vectors.bin");
    Fuzzer.run("word2vec-binary", Fuzzer.seeds(Word2VecFuzzTest.class, ROOT + "word2vec-binary"), data -> {
      Files.write(f, data);
      return Word2VecFormat.readBinary(f);
    });
  }

  /** {@code read} picks the format from the header and the first record: all three formats' seeds. */
  @Test
  void word2vecDetect() {
    Path f = Fuzzer.scratch("vectors");
    var seeds = new java.util.ArrayList<>(Fuzzer.seeds(Word2VecFuzzTest.class, ROOT + "word2vec-text"));
    seeds.addAll(Fuzzer.seeds(Word2VecFuzzTest.class, ROOT + "word2vec-binary"));
    seeds.addAll(Fuzzer.seeds(Word2VecFuzzTest.class, ROOT + "glove"));
    Fuzzer.run("word2vec-detect", seeds, data -> {
      Files.write(f, data);
      return Word2VecFormat.read(f);
    });
  }

  @Test
  void glove() {
    Path f = Fuzzer.scratch("glove.txt");
    Fuzzer.run("glove", Fuzzer.seeds(Word2VecFuzzTest.class, ROOT + "glove"), data -> {
      Files.write(f, data);
      return Word2VecFormat.readGlove(f);
    });
  }

  @Test
  void questionsWords() {
    Path f = Fuzzer.scratch("questions-words.txt");
    Fuzzer.run("questions-words", Fuzzer.seeds(Word2VecFuzzTest.class, ROOT + "questions-words"), data -> {
      Files.write(f, data);
      return Evaluation.analogies(kv, f);
    }, ": ", "Athens", "Greece", "\n: gram1\n");
  }

  @Test
  void wordPairs() {
    Path f = Fuzzer.scratch("pairs.tsv");
    Fuzzer.run("word-pairs", Fuzzer.seeds(Word2VecFuzzTest.class, ROOT + "word-pairs"), data -> {
      Files.write(f, data);
      return Evaluation.wordPairs(kv, f);
    }, "love", "sex", "\t", "#");
  }
}
