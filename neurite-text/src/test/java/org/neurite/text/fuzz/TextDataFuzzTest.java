package org.neurite.text.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.neurite.testing.Fuzzer;
import org.neurite.text.TextClassificationData;
import org.neurite.text.Vocabulary;

/**
 * Fuzz targets for the text pipeline's readers: (label, text) CSV with RFC 4180 quoting, TSV, and
 * vocabulary files. Seeds are excerpts of rt-polarity and the UCI yelp sentences, a quoted CSV and a
 * saved vocabulary, in {@code src/test/resources/org/neurite/text/fuzz/TARGET/}.
 *
 * <p>The readers report a malformed file as an IOException and bad content (an unknown label, an empty
 * dataset) as an IllegalArgumentException naming file and line; both are clear errors, so the targets
 * pass the latter on as an IOException for the fuzzer's contract, all but NumberFormatException, whose
 * message ("For input string: ...") names neither.
 */
class TextDataFuzzTest {
  private static final String ROOT = "/org/neurite/text/fuzz/";

  interface Reader {
    Object read(Path f) throws IOException;
  }

  private static void fuzz(String target, String file, Reader reader, String... dictionary) {
    Path f = Fuzzer.scratch(file);
    Fuzzer.run(target, Fuzzer.seeds(TextDataFuzzTest.class, ROOT + target), data -> {
      Files.write(f, data);
      try {
        return reader.read(f);
      } catch (NumberFormatException e) {
        throw e;   // a raw parse error reaching the user is a finding, though it is an IllegalArgumentException
      } catch (IllegalArgumentException e) {
        throw new IOException(e.getMessage(), e);
      }
    }, dictionary);
  }

  @Test
  void csv() {
    fuzz("csv", "data.csv", f -> TextClassificationData.readCsv(f, true, 0, 1).texts(), "\"", "\"\"", ",", "\r\n");
  }

  @Test
  void tsv() {
    fuzz("tsv", "data.tsv", f -> {
      TextClassificationData.readTsv(f, false, 0, 1).texts();
      return TextClassificationData.readTsv(f, false, 1, 0).texts();
    }, "\t", "\n");
  }

  @Test
  void vocabulary() {
    fuzz("vocabulary", "vocab.txt", f -> Vocabulary.load(f).encode(java.util.List.of("the", "film", "zzz")),
        "<pad>\n", "<unk>\n", "<bos>\n", "<eos>\n");
  }
}
