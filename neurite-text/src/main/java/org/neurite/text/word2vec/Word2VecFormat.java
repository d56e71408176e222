package org.neurite.text.word2vec;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.neurite.io.AtomicFiles;

/**
 * The word2vec C tool's vector files, as gensim's {@code save_word2vec_format} /
 * {@code load_word2vec_format} read and write them, and GloVe's text files.
 *
 * <ul>
 *   <li>text: a header line {@code "<count> <dim>"}, then one line per word: the word and dim numbers,
 *       separated by single spaces;
 *   <li>binary: the same header, then per word: the word's UTF-8 bytes, a space, dim little-endian
 *       float32, and a newline (the C tool writes it; gensim 4 omits it; both read either);
 *   <li>GloVe: text lines as above with no header.
 * </ul>
 * Writes go to a temp file beside the target, renamed over it when complete, so a crash never leaves a
 * half-written file. A truncated or malformed file is an {@link IOException} saying what was expected
 * where. Not a model format: only words and vectors, no counts or training state.
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class Word2VecFormat {
  private Word2VecFormat() {}

  /** Reads any of the three formats, told apart by the header and the first record. */
  public static KeyedVectors read(Path file) throws IOException {
    try (InputStream in = open(file)) {
      byte[] head = in.readNBytes(1 << 16);
      int nl = indexOf(head, 0, (byte) '\n');
      String first = new String(head, 0, nl < 0 ? head.length : nl, StandardCharsets.UTF_8).trim();
      long[] h = header(first);
      if (h == null) return readGlove(file);
      int start = nl + 1, end = indexOf(head, start, (byte) '\n');
      if (end < 0 && start < head.length) end = head.length;   // a one-word text file with no final newline
      if (end < 0 || h[0] == 0) return readText(file);
      String[] parts = new String(head, start, end - start, StandardCharsets.UTF_8).trim().split(" ");
      if (parts.length != h[1] + 1) return readBinary(file);
      try {
        for (int i = 1; i < parts.length; i++) Float.parseFloat(parts[i]);
        return readText(file);
      } catch (NumberFormatException e) {
        return readBinary(file);
      }
    }
  }

  /** The word2vec text format. */
  public static KeyedVectors readText(Path file) throws IOException {
    try (InputStream in = open(file)) {
      String line = readLine(in);
      long[] h = requireHeader(file, line);
      int count = (int) h[0], dim = (int) h[1];
      // each row takes at least a word, and a space and a digit per number
      checkDeclared(file, count, dim, 1 + 2L * dim, "text");
      KeyedVectors.Builder b = new KeyedVectors.Builder(dim, count);
      for (int i = 0; i < count; i++) {
        line = readLine(in);
        if (line == null)
          throw new IOException("read " + file + ": truncated word2vec text file: header promises " + count
              + " vectors, the file ends after " + i);
        parseRow(file, i + 2, line, dim, b);
      }
      return b.build();
    }
  }

  /** The word2vec binary format. */
  public static KeyedVectors readBinary(Path file) throws IOException {
    try (InputStream in = open(file)) {
      long[] h = requireHeader(file, readLine(in));
      int count = (int) h[0], dim = (int) h[1];
      // each record takes at least a word byte, a space and dim float32
      checkDeclared(file, count, dim, 2 + 4L * dim, "binary");
      KeyedVectors.Builder b = new KeyedVectors.Builder(dim, count);
      byte[] raw = new byte[4 * dim];
      ByteBuffer floats = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
      ByteArrayOutputStream word = new ByteArrayOutputStream();
      for (int i = 0; i < count; i++) {
        word.reset();
        int c;
        while ((c = in.read()) == '\n') { /* the newline after the previous vector */ }
        for (; c != ' '; c = in.read()) {
          if (c < 0) throw truncated(file, count, dim, i, "inside the word of vector " + (i + 1));
          if (word.size() > 1 << 16)
            throw new IOException("read " + file + ": vector " + (i + 1) + " has no space after its word within 64 KiB;"
                + " expected '<word> <" + dim + " float32>' records (is this really the binary format?)");
          word.write(c);
        }
        if (in.readNBytes(raw, 0, raw.length) != raw.length)
          throw truncated(file, count, dim, i, "inside vector " + (i + 1) + " (\"" + clip(word.toString(StandardCharsets.UTF_8)) + "\")");
        float[] v = b.row(word.toString(StandardCharsets.UTF_8));
        if (v != null) floats.asFloatBuffer().get(v, b.offset(), dim);
      }
      return b.build();
    }
  }

  /** GloVe's text format: lines of a word and its numbers, no header; the dimension is that of the first line. */
  public static KeyedVectors readGlove(Path file) throws IOException {
    try (InputStream in = open(file)) {
      KeyedVectors.Builder b = null;
      int dim = 0, lineNo = 0;
      for (String line; (line = readLine(in)) != null; ) {
        lineNo++;
        if (line.isBlank()) continue;
        if (b == null) {
          dim = line.trim().split(" ").length - 1;
          if (dim < 1)
            throw new IOException("read " + file + " line " + lineNo + ": expected a word and its vector, got \"" + clip(line) + "\"");
          int expected = (int) Math.max(1, Math.min(1024, Files.size(file) / (1 + 2L * dim)));
          checkDeclared(file, expected, dim, 1 + 2L * dim, "GloVe");
          b = new KeyedVectors.Builder(dim, expected);
        }
        parseRow(file, lineNo, line, dim, b);
      }
      if (b == null) throw new IOException("read " + file + ": empty file; expected lines of a word and its vector");
      return b.build();
    }
  }

  public static void writeText(KeyedVectors kv, Path file) throws IOException {
    AtomicFiles.write(file, out -> {
      out.write((kv.size() + " " + kv.dim + "\n").getBytes(StandardCharsets.US_ASCII));
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < kv.size(); i++) {
        sb.setLength(0);
        sb.append(checkWord(file, kv.word(i)));
        for (int d = 0, o = i * kv.stride; d < kv.dim; d++) sb.append(' ').append(kv.vectors[o + d]);   // shortest round-trip form
        sb.append('\n');
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
      }
    });
  }

  public static void writeBinary(KeyedVectors kv, Path file) throws IOException {
    AtomicFiles.write(file, out -> {
      out.write((kv.size() + " " + kv.dim + "\n").getBytes(StandardCharsets.US_ASCII));
      ByteBuffer bb = ByteBuffer.allocate(4 * kv.dim).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < kv.size(); i++) {
        out.write(checkWord(file, kv.word(i)).getBytes(StandardCharsets.UTF_8));
        out.write(' ');
        bb.clear();
        bb.asFloatBuffer().put(kv.vectors, i * kv.stride, kv.dim);
        out.write(bb.array());
        out.write('\n');
      }
    });
  }

  private static String checkWord(Path file, String w) {
    for (int i = 0; i < w.length(); i++) {
      if (w.charAt(i) <= ' ')
        throw new IllegalArgumentException("write " + file + ": word \"" + w + "\" contains whitespace, which the word2vec format cannot hold");
    }
    return w;
  }

  private static void parseRow(Path file, int lineNo, String line, int dim, KeyedVectors.Builder b) throws IOException {
    String[] parts = line.stripTrailing().split(" ");
    if (parts.length < dim + 1)
      throw new IOException("read " + file + " line " + lineNo + ": expected a word and " + dim + " numbers, got "
          + parts.length + " fields (is this really the text format?)");
    int w = parts.length - dim;   // GloVe has a few words with spaces: all but the last dim fields
    String word = w == 1 ? parts[0] : String.join(" ", java.util.Arrays.copyOf(parts, w));
    float[] v = b.row(word);
    if (v == null) return;   // a repeated word: keep the first, as gensim does
    int o = b.offset();
    for (int d = 0; d < dim; d++) {
      try {
        v[o + d] = Float.parseFloat(parts[w + d]);
      } catch (NumberFormatException e) {
        throw new IOException("read " + file + " line " + lineNo + ": \"" + clip(parts[w + d]) + "\" is not a number;"
            + " expected a word and " + dim + " numbers");
      }
    }
  }

  private static long[] header(String line) {
    String[] p = line.trim().split("\\s+");
    if (p.length != 2) return null;
    try {
      long n = Long.parseLong(p[0]), d = Long.parseLong(p[1]);
      return n >= 0 && d > 0 && n <= Integer.MAX_VALUE && d <= Integer.MAX_VALUE ? new long[] {n, d} : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static long[] requireHeader(Path file, String line) throws IOException {
    long[] h = line == null ? null : header(line);
    if (h == null)
      throw new IOException("read " + file + ": expected a header line \"<count> <dimensions>\", got "
          + (line == null ? "an empty file" : "\"" + clip(line) + "\""));
    return h;
  }

  /**
   * Checks a header's count and dimension against the file before anything is allocated: {@code count}
   * rows of at least {@code minRow} bytes must fit in the file, and the vectors in the heap.
   */
  private static void checkDeclared(Path file, int count, int dim, long minRow, String format) throws IOException {
    long size = Files.size(file);
    if ((long) Math.max(1, count) * minRow > size)
      throw new IOException("read " + file + ": the header promises " + count + " vectors of " + dim + " numbers, which need at least "
          + (long) count * minRow + " bytes in the " + format + " format; the file has " + size + " (truncated, or not this format)");
    long floats = (long) Math.max(16, count) * Kernels.stride(dim);
    if (floats > Integer.MAX_VALUE - 16)
      throw new IOException("read " + file + ": " + count + " vectors of " + dim + " floats exceed a Java array");
    org.neurite.io.Heap.requireArray("read " + file + " (" + count + " vectors of " + dim + ")", 4 * floats);   // one array
  }

  private static IOException truncated(Path file, int count, int dim, int done, String where) {
    return new EOFException("read " + file + ": truncated word2vec binary file: header promises " + count + " vectors of "
        + dim + " float32, the file ends " + where + " after " + done + " complete");
  }

  private static InputStream open(Path file) throws IOException {
    try {
      return new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file + " does not exist");
    }
  }

  /** Longest line read: a 300-dimensional GloVe line is about 3 KB. */
  static final int MAX_LINE = 16 << 20;

  /** One '\n'-terminated line as UTF-8 (a final '\r' kept for the caller to strip); null at end of file. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(1024);
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (b.size() >= MAX_LINE)
        throw new IOException("a line longer than " + MAX_LINE + " bytes; expected word vectors, one word per line");
      b.write(c);
    }
    if (c < 0 && b.size() == 0) return null;
    return b.toString(StandardCharsets.UTF_8);
  }

  private static int indexOf(byte[] b, int from, byte x) {
    for (int i = from; i < b.length; i++) if (b[i] == x) return i;
    return -1;
  }

  private static String clip(String s) {
    return org.neurite.io.Messages.clip(s, 60);
  }
}
