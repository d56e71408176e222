package org.neurite.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.train.TensorDataset;

class TextClassificationDataTest {
  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    Path f = dir.resolve(name);
    Files.createDirectories(f.getParent());
    Files.writeString(f, content, StandardCharsets.UTF_8);
    return f;
  }

  @Test
  void csvWithQuotesCommasAndNewlinesInFields() throws IOException {
    Path f = write("reviews.csv", "\uFEFFid,text,label\r\n"
        + "1,\"Great, really great\",pos\r\n"
        + "2,\"He said \"\"meh\"\"\nand left\",neg\r\n"
        + "3,plain text with a \" quote,pos\r\n"
        + "\r\n"
        + "4,\"\",neg");   // empty text, no final line end
    TextClassificationData d = TextClassificationData.readCsv(f, "label", "text");
    assertEquals(4, d.size());
    assertEquals(List.of("neg", "pos"), d.labels());
    assertEquals("Great, really great", d.text(0));
    assertEquals("He said \"meh\"\nand left", d.text(1));
    assertEquals("plain text with a \" quote", d.text(2));
    assertEquals("", d.text(3));
    assertArrayEquals(new int[] {1, 0, 1, 0}, new int[] {d.label(0), d.label(1), d.label(2), d.label(3)});
    assertEquals("reviews.csv:5", d.origin(2));   // the quoted line break in record 2 moved record 3 to line 5
    assertEquals("reviews.csv:7", d.origin(3));   // after the blank line 6
    // by index, header skipped
    TextClassificationData byIndex = TextClassificationData.readCsv(f, true, 2, 1);
    assertEquals(d.texts(), byIndex.texts());
  }

  @Test
  void csvErrors() throws IOException {
    Path f = write("bad.csv", "label,text\npos,\"never closed\nneg,x\n");
    var e = assertThrows(IOException.class, () -> TextClassificationData.readCsv(f, "label", "text"));
    assertEquals(f + ":2: a quoted field never ends (no closing \" before the end of the file)", e.getMessage());

    Path g = write("bad2.csv", "label,text\npos,\"quoted\"tail\n");
    e = assertThrows(IOException.class, () -> TextClassificationData.readCsv(g, "label", "text"));
    assertEquals(g + ":2: expected a comma or a line end after a closing quote, found 't'; write a quote inside a quoted field as \"\"",
        e.getMessage());

    Path h = write("cols.csv", "label,text\npos,fine\nneg\n");
    e = assertThrows(IOException.class, () -> TextClassificationData.readCsv(h, "label", "text"));
    assertEquals(h + ":3: expected at least 2 columns separated by a comma (label in column 0, text in column 1), found 1: \"neg\"",
        e.getMessage());

    e = assertThrows(IOException.class, () -> TextClassificationData.readCsv(h, "sentiment", "text"));
    assertEquals(h + ": no column \"sentiment\" in the header [label, text]; pass one of these names or a column index", e.getMessage());

    Path empty = write("empty.csv", "label,text\n");
    e = assertThrows(IOException.class, () -> TextClassificationData.readCsv(empty, "label", "text"));
    assertEquals(empty + ": no examples; expected CSV rows of label and text after the header", e.getMessage());

    Path missing = dir.resolve("nope.csv");
    e = assertThrows(IOException.class, () -> TextClassificationData.readCsv(missing, "label", "text"));
    assertEquals(missing + ": no such file", e.getMessage());

    Path noLabel = write("nolabel.csv", "label,text\n ,text\n");
    e = assertThrows(IOException.class, () -> TextClassificationData.readCsv(noLabel, "label", "text"));
    assertEquals(noLabel + ":2: empty label in column 0; expected a class name", e.getMessage());
  }

  @Test
  void tsvHasNoQuoting() throws IOException {
    Path f = write("train.tsv", "sentence\tlabel\n\"the movie\" is great , really\t1\nawful\t0\n\n");
    TextClassificationData d = TextClassificationData.readTsv(f, "label", "sentence");
    assertEquals(2, d.size());
    assertEquals("\"the movie\" is great , really", d.text(0));
    assertEquals(List.of("0", "1"), d.labels());
    assertEquals(1, d.label(0));

    Path noHeader = write("nh.tsv", "pos\tgood\nneg\tbad\n");
    d = TextClassificationData.readTsv(noHeader, false, 0, 1);
    assertEquals(List.of("good", "bad"), d.texts());

    Path noTab = write("notab.tsv", "pos\tgood\nneg, bad\n");
    var e = assertThrows(IOException.class, () -> TextClassificationData.readTsv(noTab, false, 0, 1));
    assertEquals(noTab + ":2: expected at least 2 columns separated by a tab (label in column 0, text in column 1), found 1: "
        + "\"neg, bad\"; is it comma-separated? use readCsv", e.getMessage());
  }

  @Test
  void integerLabelsSortNumerically() {
    TextClassificationData d = TextClassificationData.of(List.of("10", "2", "1", "2"), List.of("a", "b", "c", "d"));
    assertEquals(List.of("1", "2", "10"), d.labels());
    assertArrayEquals(new int[] {1, 2, 1}, d.classCounts());
  }

  @Test
  void folderPerClass() throws IOException {
    write("imdb/pos/1_10.txt", "Loved it.");
    write("imdb/pos/sub/2_9.txt", "Fine film");
    write("imdb/neg/3_1.txt", "Awful");
    write("imdb/neg/notes.md", "not a text example");
    write("imdb/neg/.hidden.txt", "skipped");
    write("imdb/unsup/4_0.txt", "unlabelled");
    TextClassificationData all = TextClassificationData.fromFolder(dir.resolve("imdb"));
    assertEquals(List.of("neg", "pos", "unsup"), all.labels());
    TextClassificationData d = TextClassificationData.fromFolder(dir.resolve("imdb"), List.of("pos", "neg"));
    assertEquals(List.of("neg", "pos"), d.labels());
    assertEquals(List.of("Awful", "Loved it.", "Fine film"), d.texts());
    assertArrayEquals(new int[] {1, 2}, d.classCounts());

    var e = assertThrows(IOException.class, () -> TextClassificationData.fromFolder(dir.resolve("imdb"), List.of("pos", "neutral")));
    assertEquals(dir.resolve("imdb") + ": no subfolder \"neutral\" for that class; found [neg, pos, unsup]", e.getMessage());
    Files.createDirectories(dir.resolve("imdb2/empty"));
    e = assertThrows(IOException.class, () -> TextClassificationData.fromFolder(dir.resolve("imdb2")));
    assertEquals(dir.resolve("imdb2/empty") + ": expected .txt files for class \"empty\", found none", e.getMessage());
    e = assertThrows(IOException.class, () -> TextClassificationData.fromFolder(dir.resolve("nowhere")));
    assertEquals(dir.resolve("nowhere") + ": expected a folder with one subfolder per class, found nothing", e.getMessage());
  }

  @Test
  void lineFilesSkipBlankLines() throws IOException {
    Path pos = write("p.txt", "good\n\nvery good\n"), neg = write("n.txt", "bad\r\nworse");
    TextClassificationData d = TextClassificationData.fromLineFiles(Map.of("pos", pos, "neg", neg));
    assertEquals(List.of("bad", "worse", "good", "very good"), d.texts());
    assertEquals("p.txt:3", d.origin(3));
    assertEquals("TextClassificationData(4 examples, 2 classes: neg 2, pos 2)", d.toString());
  }

  @Test
  void emptyDatasetIsAnError() {
    var e = assertThrows(IllegalArgumentException.class, () -> TextClassificationData.of(List.of(), List.of()));
    assertEquals("TextClassificationData: no examples; expected at least one labelled text", e.getMessage());
  }

  @Test
  void unknownLabelIsNamedWithTheKnownOnes() throws IOException {
    Path f = write("test.tsv", "pos\tgood\nneutral\tmeh\n");
    TextClassificationData d = TextClassificationData.readTsv(f, false, 0, 1);
    var e = assertThrows(IllegalArgumentException.class, () -> d.withLabels(List.of("neg", "pos")));
    assertEquals("test.tsv:2: label \"neutral\" is not one of the known labels [neg, pos]; expected the classes the model was "
        + "trained on", e.getMessage());
    TextClassificationData m = d.withLabels(List.of("pos", "neutral", "neg"));
    assertEquals(0, m.label(0));
    assertEquals(1, m.label(1));
    assertEquals(3, m.numClasses());
  }

  @Test
  void labelFilesRoundTrip() throws IOException {
    Path f = dir.resolve("model/labels.txt");
    TextClassificationData.saveLabels(List.of("neg", "pos", "très bien"), f);
    assertEquals(List.of("neg", "pos", "très bien"), TextClassificationData.loadLabels(f));
    Files.writeString(f, "");
    var e = assertThrows(IOException.class, () -> TextClassificationData.loadLabels(f));
    assertEquals(f + ": expected class names, one per line, found an empty file", e.getMessage());
  }

  private static TextClassificationData synthetic(int perA, int perB, int perC) {
    List<String> labels = new ArrayList<>(), texts = new ArrayList<>();
    int[] per = {perA, perB, perC};
    for (int c = 0; c < 3; c++)
      for (int i = 0; i < per[c]; i++) {
        labels.add("c" + c);
        texts.add("text " + c + " " + i);
      }
    return TextClassificationData.of(labels, texts);
  }

  @Test
  void stratifiedSplit() {
    TextClassificationData d = synthetic(100, 50, 30);
    TextClassificationData.Split s = d.split(0.2, 42);
    assertArrayEquals(new int[] {20, 10, 6}, s.test().classCounts());
    assertArrayEquals(new int[] {80, 40, 24}, s.train().classCounts());
    Set<String> train = new HashSet<>(s.train().texts()), test = new HashSet<>(s.test().texts());
    assertEquals(144, train.size());
    assertTrue(test.stream().noneMatch(train::contains));
    // same seed, same split; other seed, other split
    assertEquals(s.test().texts(), d.split(0.2, 42).test().texts());
    assertTrue(!s.test().texts().equals(d.split(0.2, 43).test().texts()));
    // the parts are shuffled, not in class blocks
    List<Integer> firstLabels = new ArrayList<>();
    for (int i = 0; i < 20; i++) firstLabels.add(s.train().label(i));
    assertTrue(new HashSet<>(firstLabels).size() > 1, "train part starts with one class only: " + firstLabels);

    var e = assertThrows(IllegalArgumentException.class, () -> d.split(1.0, 1));
    assertEquals("split: testFraction (1.0) must be > 0 and < 1", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> synthetic(3, 3, 3).split(0.1, 1));
    assertEquals("split: testFraction=0.1 of 9 examples leaves the test part empty; expected both parts non-empty", e.getMessage());
  }

  @Test
  void kFoldIsDisjointCoversAllAndStratified() {
    TextClassificationData d = synthetic(101, 50, 33);
    int k = 10;
    List<String> seen = new ArrayList<>();
    for (int fold = 0; fold < k; fold++) {
      TextClassificationData.Split s = d.kFold(k, fold, 7);
      assertEquals(d.size(), s.train().size() + s.test().size());
      Set<String> train = new HashSet<>(s.train().texts());
      for (String t : s.test().texts()) assertTrue(!train.contains(t), t + " is in both parts of fold " + fold);
      int[] c = s.test().classCounts();
      assertTrue(c[0] >= 10 && c[0] <= 11 && c[1] == 5 && c[2] >= 3 && c[2] <= 4, "fold " + fold + ": " + Arrays.toString(c));
      assertTrue(s.test().size() == 18 || s.test().size() == 19, "fold size " + s.test().size());
      seen.addAll(s.test().texts());
    }
    assertEquals(d.size(), seen.size());
    assertEquals(new HashSet<>(d.texts()), new HashSet<>(seen));   // every example in exactly one test fold

    var e = assertThrows(IllegalArgumentException.class, () -> d.kFold(10, 10, 7));
    assertEquals("kFold: fold (10) must be in [0, 10)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> d.kFold(1, 0, 7));
    assertEquals("kFold: k (1) must be >= 2 and <= the 184 examples", e.getMessage());
  }

  @Test
  void toDatasetPadsTruncatesAndEncodesEmptyTextAsPad() {
    TextClassificationData d = TextClassificationData.of(List.of("b", "a", "b"),
        List.of("the film is good", "", "bad bad bad film , the worst film of all"));
    Tokenizer tok = new Tokenizer();
    Vocabulary v = Vocabulary.builder().build(d.tokens(tok));
    TensorDataset ds = d.toDataset(tok, v, 5);
    assertArrayEquals(new int[] {3, 5}, ds.inputs().shape());
    assertArrayEquals(new int[] {3}, ds.targets().shape());
    assertArrayEquals(new float[] {1, 0, 1}, ds.targets().data());
    float[] x = ds.inputs().data();
    int[] good = v.encode(List.of("the", "film", "is", "good"));
    assertArrayEquals(new float[] {good[0], good[1], good[2], good[3], 0}, Arrays.copyOfRange(x, 0, 5));
    assertArrayEquals(new float[5], Arrays.copyOfRange(x, 5, 10));                         // empty text: all PAD
    int[] bad = v.encode(List.of("bad", "bad", "bad", "film", ","));
    assertArrayEquals(new float[] {bad[0], bad[1], bad[2], bad[3], bad[4]}, Arrays.copyOfRange(x, 10, 15));   // cut to the first 5
    // unknown words become UNK
    TensorDataset other = TextClassificationData.of(List.of("a"), List.of("unseen film")).toDataset(v, 3);
    assertArrayEquals(new float[] {v.unk(), v.indexOf("film"), 0}, other.inputs().data());
    var e = assertThrows(IllegalArgumentException.class, () -> d.toDataset(v, 0));
    assertEquals("toDataset: maxLen (0) must be >= 1", e.getMessage());
  }
}
