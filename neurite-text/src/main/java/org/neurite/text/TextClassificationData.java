package org.neurite.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.neurite.io.AtomicFiles;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.train.TensorDataset;

/**
 * Labelled texts for classification: (label, text) examples read from a CSV or TSV table, a folder
 * with one subfolder per class, or one file per class with a text per line (the sentence-polarity
 * layout); then stratified {@link #split} and {@link #kFold}, and {@link #toDataset} to token-id
 * tensors for {@code fit}. Not lazy: every text is held in memory (fine up to millions of short texts).
 *
 * <p><b>Labels.</b> A dataset has a list of class names, and each example the index of its class in
 * that list. Readers sort the names (numerically when every name is an integer, so {@code 2} comes
 * before {@code 10}; else by {@link String#compareTo}), so the same classes get the same indices
 * whatever order the file lists them in. Save the list with the model ({@link #saveLabels}) and map
 * new data onto it with {@link #withLabels}; a label missing from the list is an error naming it.
 * Label fields are stripped of surrounding whitespace; texts are kept as they are.
 *
 * <p><b>Encoding.</b> {@link #toDataset(Tokenizer, Vocabulary, int)} gives {@code x} {@code [N, maxLen]}
 * float token ids and {@code y} {@code [N]} class indices. Texts are tokenized, encoded with
 * {@link Vocabulary#encode(List, boolean)} (BOS/EOS added when the vocabulary has them; unknown tokens
 * become UNK), cut to their first {@code maxLen} ids when longer, and padded with PAD (0) at the end
 * when shorter. An empty text, or one with no tokens, becomes a row of PAD only.
 *
 * <p>Files are read as UTF-8 (a byte-order mark is dropped; other encodings are an error naming the
 * file). Immutable.
 *
 * <p>Example:
 * <pre>{@code
 * var data = TextClassificationData.readCsv(Path.of("reviews.csv"), "label", "text");
 * var split = data.split(0.1, 42);
 * var tok = new Tokenizer();
 * var vocab = Vocabulary.builder().minCount(2).build(split.train().tokens(tok));
 * TensorDataset train = split.train().toDataset(tok, vocab, 60), test = split.test().toDataset(tok, vocab, 60);
 * }</pre>
 */
public final class TextClassificationData {
  /** A training and a test (or validation) part. */
  public record Split(TextClassificationData train, TextClassificationData test) {}

  /** One example: its class index and text. */
  public record Example(int label, String text) {}

  private final List<String> labels;
  private final int[] y;
  private final String[] texts;
  private final String[] origins;   // "file:line" or a file name, for error messages

  private TextClassificationData(List<String> labels, int[] y, String[] texts, String[] origins, String where) {
    if (texts.length == 0)
      throw new IllegalArgumentException(where + ": no examples; expected at least one labelled text");
    this.labels = List.copyOf(labels);
    this.y = y;
    this.texts = texts;
    this.origins = origins;
  }

  // ----- construction -----

  /** Examples from parallel lists of label names and texts; the class list is the sorted distinct labels. */
  public static TextClassificationData of(List<String> labels, List<String> texts) {
    if (labels.size() != texts.size())
      throw new IllegalArgumentException("TextClassificationData: " + labels.size() + " labels for " + texts.size()
          + " texts; expected one label per text");
    String[] origins = new String[labels.size()];
    for (int i = 0; i < origins.length; i++) origins[i] = "example " + i;
    return fromNames(labels, texts, Arrays.asList(origins), "TextClassificationData");
  }

  private static TextClassificationData fromNames(List<String> names, List<String> texts, List<String> origins, String where) {
    List<String> stripped = new ArrayList<>(names.size());
    for (int i = 0; i < names.size(); i++) {
      String s = names.get(i) == null ? "" : names.get(i).strip();
      if (s.isEmpty()) throw new IllegalArgumentException(origins.get(i) + ": empty label; expected a class name");
      stripped.add(s);
    }
    List<String> classes = sortLabels(new TreeSet<>(stripped));
    Map<String, Integer> index = indexOf(classes);
    int[] y = new int[stripped.size()];
    for (int i = 0; i < y.length; i++) y[i] = index.get(stripped.get(i));
    return new TextClassificationData(classes, y, texts.toArray(new String[0]), origins.toArray(new String[0]), where);
  }

  /** Class names in the readers' order: numeric when all are integers, else {@link String#compareTo}. */
  static List<String> sortLabels(java.util.Collection<String> names) {
    List<String> out = new ArrayList<>(names);
    boolean numeric = !out.isEmpty();
    for (String s : out) numeric &= s.matches("[+-]?\\d{1,18}");
    if (numeric) out.sort(Comparator.comparingLong((String s) -> Long.parseLong(s)).thenComparing(Comparator.naturalOrder()));
    else out.sort(Comparator.naturalOrder());
    return out;
  }

  /**
   * A comma-separated file with a header row, the label and text taken from the named columns.
   * RFC 4180 quoting: a field in double quotes may hold commas, line breaks and {@code ""}.
   */
  public static TextClassificationData readCsv(Path file, String labelColumn, String textColumn) throws IOException {
    return readTable(file, ',', true, true, labelColumn, -1, textColumn, -1);
  }

  /** As {@link #readCsv(Path, String, String)}, the columns by 0-based index; a header row, if any, is skipped. */
  public static TextClassificationData readCsv(Path file, boolean header, int labelColumn, int textColumn) throws IOException {
    return readTable(file, ',', true, header, null, labelColumn, null, textColumn);
  }

  /**
   * A tab-separated file with a header row, the label and text taken from the named columns. No
   * quoting: each line is one example and quotes are part of the text (as in GLUE's SST-2 files).
   */
  public static TextClassificationData readTsv(Path file, String labelColumn, String textColumn) throws IOException {
    return readTable(file, '\t', false, true, labelColumn, -1, textColumn, -1);
  }

  /** As {@link #readTsv(Path, String, String)}, the columns by 0-based index; a header row, if any, is skipped. */
  public static TextClassificationData readTsv(Path file, boolean header, int labelColumn, int textColumn) throws IOException {
    return readTable(file, '\t', false, header, null, labelColumn, null, textColumn);
  }

  private static TextClassificationData readTable(Path file, char delim, boolean quoting, boolean header, String labelName,
      int labelCol, String textName, int textCol) throws IOException {
    String kind = quoting ? "CSV" : "TSV";
    if (labelName == null && (labelCol < 0 || textCol < 0))
      throw new IllegalArgumentException(file + ": column indices must be >= 0, got label column " + labelCol
          + " and text column " + textCol);
    if (labelName == null && labelCol == textCol)
      throw new IllegalArgumentException(file + ": label and text are both column " + labelCol + "; expected two columns");
    List<Csv.Row> rows;
    try {
      rows = Csv.parse(TextFiles.read(file), delim, quoting, file.toString());
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    int first = 0;
    if (header) {
      if (rows.isEmpty()) throw new IOException(file + ": expected a " + kind + " header row, found an empty file");
      List<String> head = rows.get(0).fields();
      if (labelName != null) {
        labelCol = column(file, head, labelName);
        textCol = column(file, head, textName);
        if (labelCol == textCol)
          throw new IOException(file + ": label column \"" + labelName + "\" and text column \"" + textName + "\" are the same column");
      }
      first = 1;
    }
    int need = Math.max(labelCol, textCol) + 1;
    List<String> names = new ArrayList<>(), texts = new ArrayList<>(), origins = new ArrayList<>();
    String fileName = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    for (int r = first; r < rows.size(); r++) {
      Csv.Row row = rows.get(r);
      List<String> f = row.fields();
      if (f.size() < need)
        throw new IOException(file + ":" + row.line() + ": expected at least " + need + " columns separated by "
            + Csv.name(delim) + " (label in column " + labelCol + ", text in column " + textCol + "), found " + f.size()
            + ": \"" + abbreviate(String.join(String.valueOf(delim), f)) + "\"" + hint(delim, f));
      String label = f.get(labelCol).strip();
      if (label.isEmpty())
        throw new IOException(file + ":" + row.line() + ": empty label in column " + labelCol + "; expected a class name");
      names.add(label);
      texts.add(f.get(textCol));
      origins.add(fileName + ":" + row.line());
    }
    if (names.isEmpty())
      throw new IOException(file + ": no examples; expected " + kind + " rows of label and text" + (header ? " after the header" : ""));
    return fromNames(names, texts, origins, file.toString());
  }

  private static String abbreviate(String s) {
    s = s.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }

  private static String hint(char delim, List<String> fields) {
    String line = String.join("", fields);
    if (delim == '\t' && line.contains(",")) return "; is it comma-separated? use readCsv";
    if (delim == ',' && line.contains("\t")) return "; is it tab-separated? use readTsv";
    return "";
  }

  private static int column(Path file, List<String> head, String name) throws IOException {
    int i = head.indexOf(name);
    if (i >= 0) return i;
    for (int j = 0; j < head.size(); j++) if (head.get(j).strip().equalsIgnoreCase(name.strip())) return j;
    throw new IOException(file + ": no column \"" + name + "\" in the header " + head + "; pass one of these names or a column index");
  }

  /**
   * Texts in one subfolder per class, as torchvision's {@code ImageFolder} and Keras'
   * {@code text_dataset_from_directory} (IMDB's {@code aclImdb/train}): each {@code .txt} file anywhere
   * below a class folder is one example, its whole content the text. Class names are the subfolder
   * names, sorted. Names starting with a dot are skipped.
   */
  public static TextClassificationData fromFolder(Path dir) throws IOException {
    return fromFolder(dir, null);
  }

  /** As {@link #fromFolder(Path)}, reading only the subfolders named in {@code classes} (say, not IMDB's {@code unsup}). */
  public static TextClassificationData fromFolder(Path dir, List<String> classes) throws IOException {
    if (!Files.isDirectory(dir))
      throw new IOException(dir + ": expected a folder with one subfolder per class, found "
          + (Files.exists(dir) ? "a file" : "nothing"));
    List<String> found;
    try (Stream<Path> s = Files.list(dir)) {
      found = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
    }
    List<String> names = found;
    if (classes != null) {
      for (String c : classes)
        if (!found.contains(c)) throw new IOException(dir + ": no subfolder \"" + c + "\" for that class; found " + found);
      names = sortLabels(new TreeSet<>(classes));
    }
    if (names.isEmpty()) throw new IOException(dir + ": expected one subfolder per class, found none");
    List<Integer> y = new ArrayList<>();
    List<String> texts = new ArrayList<>(), origins = new ArrayList<>();
    for (int c = 0; c < names.size(); c++) {
      Path classDir = dir.resolve(names.get(c));
      List<Path> files;
      try (Stream<Path> s = Files.walk(classDir, FileVisitOption.FOLLOW_LINKS)) {
        files = s.filter(Files::isRegularFile).filter(p -> isText(classDir.relativize(p)))
            .sorted(Comparator.comparing(p -> classDir.relativize(p).toString().replace('\\', '/'))).toList();
      }
      if (files.isEmpty())
        throw new IOException(classDir + ": expected .txt files for class \"" + names.get(c) + "\", found none");
      for (Path f : files) {
        y.add(c);
        texts.add(TextFiles.read(f));
        origins.add(dir.relativize(f).toString());
      }
    }
    return new TextClassificationData(names, y.stream().mapToInt(Integer::intValue).toArray(), texts.toArray(new String[0]),
        origins.toArray(new String[0]), dir.toString());
  }

  private static boolean isText(Path relative) {
    for (Path part : relative) if (part.toString().startsWith(".")) return false;
    return relative.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".txt");
  }

  /**
   * One file per class, one text per line (the sentence-polarity layout: {@code rt-polarity.pos} and
   * {@code .neg}): {@code files} maps each class name to its file. Blank lines are skipped.
   */
  public static TextClassificationData fromLineFiles(Map<String, Path> files) throws IOException {
    if (files.isEmpty()) throw new IllegalArgumentException("TextClassificationData.fromLineFiles: no files given");
    List<String> classes = sortLabels(files.keySet());
    List<Integer> y = new ArrayList<>();
    List<String> texts = new ArrayList<>(), origins = new ArrayList<>();
    for (int c = 0; c < classes.size(); c++) {
      Path f = files.get(classes.get(c));
      List<String> lines = TextFiles.readLines(f);
      String name = f.getFileName() == null ? f.toString() : f.getFileName().toString();
      int before = texts.size();
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).isBlank()) continue;
        y.add(c);
        texts.add(lines.get(i));
        origins.add(name + ":" + (i + 1));
      }
      if (texts.size() == before) throw new IOException(f + ": expected one text per line for class \"" + classes.get(c) + "\", found none");
    }
    return new TextClassificationData(classes, y.stream().mapToInt(Integer::intValue).toArray(), texts.toArray(new String[0]),
        origins.toArray(new String[0]), "TextClassificationData.fromLineFiles");
  }

  // ----- contents -----

  /** Number of examples. */
  public int size() {
    return texts.length;
  }

  /** The class names; example labels index this list. */
  public List<String> labels() {
    return labels;
  }

  public int numClasses() {
    return labels.size();
  }

  /** The class index of example {@code i}. */
  public int label(int i) {
    return y[i];
  }

  /** The text of example {@code i}. */
  public String text(int i) {
    return texts[i];
  }

  /** Where example {@code i} came from: {@code file:line}, a file under the folder, or {@code example i}. */
  public String origin(int i) {
    return origins[i];
  }

  /** All examples, in order. */
  public List<Example> examples() {
    List<Example> out = new ArrayList<>(texts.length);
    for (int i = 0; i < texts.length; i++) out.add(new Example(y[i], texts[i]));
    return out;
  }

  /** The texts, in order. */
  public List<String> texts() {
    return List.of(texts);
  }

  /** Examples per class, by class index. */
  public int[] classCounts() {
    int[] c = new int[labels.size()];
    for (int v : y) c[v]++;
    return c;
  }

  /**
   * The same examples with class indices into {@code known} (the list saved with a model), in its
   * order. A label not in {@code known} is an error naming it, where it is, and the known labels.
   */
  public TextClassificationData withLabels(List<String> known) {
    Map<String, Integer> index = indexOf(known);
    if (index.size() != known.size())
      throw new IllegalArgumentException("withLabels: the labels " + known + " name a class twice");
    int[] ny = new int[y.length];
    for (int i = 0; i < y.length; i++) {
      Integer k = index.get(labels.get(y[i]));
      if (k == null)
        throw new IllegalArgumentException(origins[i] + ": label \"" + labels.get(y[i]) + "\" is not one of the known labels "
            + known + "; expected the classes the model was trained on");
      ny[i] = k;
    }
    return new TextClassificationData(known, ny, texts, origins, "withLabels");
  }

  /** The examples at {@code indices}, in that order, with the same class list. */
  public TextClassificationData subset(int[] indices) {
    int[] ny = new int[indices.length];
    String[] nt = new String[indices.length], no = new String[indices.length];
    for (int i = 0; i < indices.length; i++) {
      int j = indices[i];
      if (j < 0 || j >= texts.length)
        throw new IndexOutOfBoundsException("subset: index " + j + " out of range [0, " + texts.length + ")");
      ny[i] = y[j];
      nt[i] = texts[j];
      no[i] = origins[j];
    }
    return new TextClassificationData(labels, ny, nt, no, "subset");
  }

  // ----- splits -----

  /**
   * A stratified random split: from each class, {@code round(testFraction * count)} examples go to the
   * test part and the rest to the training part, both then shuffled (so that taking a validation slice
   * off either end is fair). The same seed gives the same split.
   */
  public Split split(double testFraction, long seed) {
    if (!(testFraction > 0 && testFraction < 1))
      throw new IllegalArgumentException("split: testFraction (" + testFraction + ") must be > 0 and < 1");
    Rng rng = new Rng(seed);
    int[][] byClass = shuffledByClass(rng);
    int nTest = 0;
    for (int[] c : byClass) nTest += (int) Math.round(testFraction * c.length);
    if (nTest == 0 || nTest == texts.length)
      throw new IllegalArgumentException(String.format(Locale.ROOT, "split: testFraction=%s of %d examples %s; "
          + "expected both parts non-empty", testFraction, texts.length, nTest == 0 ? "leaves the test part empty"
          : "leaves the training part empty"));
    int[] train = new int[texts.length - nTest], test = new int[nTest];
    int a = 0, b = 0;
    for (int[] c : byClass) {
      int t = (int) Math.round(testFraction * c.length);
      for (int i = 0; i < c.length; i++) {
        if (i < t) test[b++] = c[i];
        else train[a++] = c[i];
      }
    }
    rng.shuffle(train);
    rng.shuffle(test);
    return new Split(subset(train), subset(test));
  }

  /**
   * Fold {@code fold} of a stratified {@code k}-fold partition: the test part is that fold, the
   * training part the other {@code k - 1}. With one seed the k folds are disjoint and cover every
   * example once; each fold holds {@code floor} or {@code ceil} of {@code count / k} of each class.
   * Both parts are shuffled.
   */
  public Split kFold(int k, int fold, long seed) {
    if (k < 2 || k > texts.length)
      throw new IllegalArgumentException("kFold: k (" + k + ") must be >= 2 and <= the " + texts.length + " examples");
    if (fold < 0 || fold >= k) throw new IllegalArgumentException("kFold: fold (" + fold + ") must be in [0, " + k + ")");
    int[][] byClass = shuffledByClass(new Rng(seed));
    int[] test = new int[texts.length], train = new int[texts.length];
    int a = 0, b = 0, p = 0;
    for (int[] c : byClass)
      for (int i : c) {   // deal the classes out in turn, continuing across classes, so folds differ in size by at most 1
        if (p++ % k == fold) test[b++] = i;
        else train[a++] = i;
      }
    Rng rng = new Rng(seed * 1_000_003L + fold + 1);
    train = Arrays.copyOf(train, a);
    test = Arrays.copyOf(test, b);
    rng.shuffle(train);
    rng.shuffle(test);
    return new Split(subset(train), subset(test));
  }

  private int[][] shuffledByClass(Rng rng) {
    int[] counts = classCounts();
    int[][] out = new int[counts.length][];
    for (int c = 0; c < counts.length; c++) out[c] = new int[counts[c]];
    int[] fill = new int[counts.length];
    for (int i = 0; i < y.length; i++) out[y[i]][fill[y[i]]++] = i;
    for (int[] c : out) rng.shuffle(c);
    return out;
  }

  // ----- encoding -----

  /** Each text's tokens, in order: the input of {@link Vocabulary.Builder#build(Iterable)}. */
  public List<List<String>> tokens(Tokenizer tokenizer) {
    List<List<String>> out = new ArrayList<>(texts.length);
    for (String t : texts) out.add(tokenizer.tokenize(t));
    return out;
  }

  /**
   * Each text's first {@code maxTokens} tokens: what a model reading {@code maxTokens} tokens sees,
   * to build its vocabulary from. Long texts are cut while they are tokenised.
   */
  public List<List<String>> tokens(Tokenizer tokenizer, int maxTokens) {
    List<List<String>> out = new ArrayList<>(texts.length);
    for (String t : texts) {
      List<String> one = new ArrayList<>();
      tokenizer.tokenize(t, one, maxTokens);
      out.add(one);
    }
    return out;
  }

  /** Each text's token ids (unpadded), as {@link #toDataset(Tokenizer, Vocabulary, int)} encodes them. */
  public List<int[]> encode(Tokenizer tokenizer, Vocabulary vocab) {
    return encode(tokenizer, vocab, Integer.MAX_VALUE);
  }

  /** Each text's first {@code maxTokens} token ids; long texts are cut while they are tokenised. */
  public List<int[]> encode(Tokenizer tokenizer, Vocabulary vocab, int maxTokens) {
    if (vocab.unk() < 0) maxTokens = Integer.MAX_VALUE;   // unknown words are skipped, so later words fill in: read all
    List<int[]> out = new ArrayList<>(texts.length);
    List<String> buf = new ArrayList<>();
    for (String t : texts) {
      buf.clear();
      tokenizer.tokenize(t, buf, maxTokens);
      out.add(vocab.encode(buf, true));
    }
    return out;
  }

  /** The class indices as a {@code [N]} float tensor. */
  public Tensor targets() {
    float[] t = new float[y.length];
    for (int i = 0; i < y.length; i++) t[i] = y[i];
    return Tensor.of(t, y.length);
  }

  /**
   * {@code x}: {@code [N, maxLen]} float token ids, right-padded with PAD (0), texts longer than
   * {@code maxLen} ids cut to their first {@code maxLen}; an empty text is all PAD. {@code y}:
   * {@code [N]} class indices.
   */
  public TensorDataset toDataset(Tokenizer tokenizer, Vocabulary vocab, int maxLen) {
    if (maxLen < 1) throw new IllegalArgumentException("toDataset: maxLen (" + maxLen + ") must be >= 1");
    Tensor x = Sequences.pad(encode(tokenizer, vocab, maxLen), maxLen, Sequences.Side.POST, Sequences.Side.POST);
    return new TensorDataset(x, targets());
  }

  /** As {@link #toDataset(Tokenizer, Vocabulary, int)} with the default {@code new Tokenizer()}. */
  public TensorDataset toDataset(Vocabulary vocab, int maxLen) {
    return toDataset(new Tokenizer(), vocab, maxLen);
  }

  /** Each text's tokens by the default {@code new Tokenizer()}. */
  public List<List<String>> tokens() {
    return tokens(new Tokenizer());
  }

  // ----- label files -----

  /** Writes class names one per line (UTF-8) atomically, to keep beside a model. */
  public static void saveLabels(List<String> labels, Path file) throws IOException {
    StringBuilder b = new StringBuilder();
    for (String l : labels) {
      if (l.isEmpty() || l.indexOf('\n') >= 0 || l.indexOf('\r') >= 0)
        throw new IllegalArgumentException("saveLabels: label \"" + l + "\" cannot be stored one per line");
      b.append(l).append('\n');
    }
    AtomicFiles.write(file, b.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Reads class names written by {@link #saveLabels}. */
  public static List<String> loadLabels(Path file) throws IOException {
    List<String> lines = TextFiles.readLines(file);
    if (lines.isEmpty()) throw new IOException(file + ": expected class names, one per line, found an empty file");
    for (int i = 0; i < lines.size(); i++)
      if (lines.get(i).isEmpty()) throw new IOException(file + ":" + (i + 1) + ": expected a class name, found an empty line");
    if (new TreeSet<>(lines).size() != lines.size()) throw new IOException(file + ": a class name appears twice in " + lines);
    return List.copyOf(lines);
  }

  private static Map<String, Integer> indexOf(List<String> names) {
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < names.size(); i++) m.putIfAbsent(names.get(i), i);
    return m;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "TextClassificationData(%,d examples, %d classes: ",
        texts.length, labels.size()));
    int[] c = classCounts();
    for (int i = 0; i < c.length && i < 20; i++)
      b.append(i == 0 ? "" : ", ").append(labels.get(i)).append(String.format(Locale.ROOT, " %,d", c[i]));
    if (c.length > 20) b.append(", ...");
    return b.append(')').toString();
  }
}
