package org.neurite.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.neurite.text.SentencePolarity;
import org.neurite.text.TextClassificationData;

/**
 * The {@code --data} spelling of the text commands: {@code rt-polarity} (the sentence-polarity copy
 * shipped in data/, split 90/10 with a fixed seed), {@code rt-polarity:DIR}, a folder with one subfolder
 * of .txt files per class, or a .tsv/.csv file of (label, text) rows ({@code --columns text,label} for
 * files that put the text first). A separate test file or folder may follow after a comma:
 * {@code train.tsv,test.tsv}; otherwise 10% of the data, stratified, is held out.
 */
final class TextData {
  static final String HELP = "rt-polarity | rt-polarity:DIR | DIR (class subfolders) | FILE.tsv|FILE.csv [,TEST]";

  private TextData() {}

  static TextClassificationData.Split load(String spec, String columns, long seed) throws IOException {
    if (spec.equals("rt-polarity") || spec.startsWith("rt-polarity:")) {
      Path dir = spec.contains(":") ? Path.of(spec.substring(spec.indexOf(':') + 1)) : SentencePolarity.bundledDir();
      return SentencePolarity.fixedSplit(dir, seed);
    }
    String[] parts = spec.split(",", 2);
    TextClassificationData train = read(Path.of(parts[0]), columns);
    if (parts.length == 2) return new TextClassificationData.Split(train, read(Path.of(parts[1]), columns).withLabels(train.labels()));
    return train.split(0.1, seed);
  }

  /** What {@code eval} reads: the test part where the spec names one (rt-polarity's held-out part, TRAIN,TEST), else all of it. */
  static TextClassificationData readAll(String spec, String columns, long seed) throws IOException {
    if (spec.startsWith("rt-polarity") || spec.contains(",")) return load(spec, columns, seed).test();
    return read(Path.of(spec), columns);
  }

  static TextClassificationData read(Path p, String columns) throws IOException {
    if (Files.isDirectory(p)) return TextClassificationData.fromFolder(p);
    if (!Files.exists(p)) throw new IllegalArgumentException("--data: " + p + " does not exist (expected " + HELP + ")");
    int label, text;
    switch (columns.toLowerCase(Locale.ROOT)) {
      case "label,text" -> { label = 0; text = 1; }
      case "text,label" -> { label = 1; text = 0; }
      default -> throw new IllegalArgumentException("--columns " + columns + ": expected label,text or text,label");
    }
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".csv")) return TextClassificationData.readCsv(p, false, label, text);
    if (name.endsWith(".tsv") || name.endsWith(".txt")) return TextClassificationData.readTsv(p, false, label, text);
    throw new IllegalArgumentException("--data " + p + ": expected a .tsv, .csv or .txt file of (label, text) rows, or a folder");
  }
}
