package org.neurite.text.word2vec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Splits a byte range of a text file into whitespace-separated tokens and line ends, reading with
 * positional reads so that many tokenizers can share one {@link FileChannel}. A range owns the lines
 * that start inside it (a line that starts inside runs to its end, past the range if need be), so
 * ranges that tile the file give every line to exactly one tokenizer.
 *
 * <p>Bytes 0-32 separate tokens ('\n' also ends the line). That is ASCII whitespace, as the C tool and
 * gensim's {@code corpus_file} reader split, and it is safe in UTF-8, whose multi-byte sequences never
 * contain bytes below 0x80. Tokens are left in the buffer: {@code buf[off(), off() + len())}.
 */
final class LineTokenizer {
  static final int TOKEN = 0, END_OF_LINE = 1, END = 2;
  private static final int BUFFER = 1 << 18;
  // The read position, the last token's bounds and the line-start flag change on every token. They live
  // in the middle of an array, alone on their cache line wherever a garbage collection moves things, so
  // that no other worker's data shares it (false sharing made two threads slower than one; see Trainer).
  private static final int POS = 16, OFF = 17, LEN = 18, LINE_START = 19;
  private final int[] hot = new int[36];

  private final FileChannel channel;
  private final Path path;
  final byte[] buf = new byte[BUFFER];
  private final ByteBuffer bb = ByteBuffer.wrap(buf);
  private long bufPos;      // file offset of buf[0]
  private int lim;
  private long end;         // lines starting at or after this offset belong to the next range

  LineTokenizer(FileChannel channel, Path path) {
    this.channel = channel;
    this.path = path;
  }

  /** Start of the last token in {@link #buf}. */
  int off() {
    return hot[OFF];
  }

  /** Length in bytes of the last token. */
  int len() {
    return hot[LEN];
  }

  /** Positions at the first line starting in {@code [start, end)}. */
  void range(long start, long end) throws IOException {
    this.end = end;
    hot[LINE_START] = 1;
    if (start == 0) {
      fill(0);
      hot[POS] = 0;
      return;
    }
    fill(start - 1);   // the line starts here only if the byte before is a line end
    int pos = 0;
    for (;;) {
      while (pos < lim) {
        if (buf[pos++] == '\n') {
          hot[POS] = pos;
          return;
        }
      }
      if (!fill(bufPos + lim)) {
        hot[POS] = 0;
        return;
      }
      pos = 0;
    }
  }

  /** The next {@link #TOKEN} (then {@link #off()}, {@link #len()}), {@link #END_OF_LINE}, or {@link #END} of the range. */
  int next() throws IOException {
    int pos = hot[POS];
    try {
      for (;;) {
        if (pos == lim) {
          if (!fill(bufPos + lim)) return END;
          pos = 0;
        }
        if (hot[LINE_START] != 0) {
          if (bufPos + pos >= end) return END;
          hot[LINE_START] = 0;
        }
        byte c = buf[pos];
        if (c == '\n') {
          pos++;
          hot[LINE_START] = 1;
          return END_OF_LINE;
        }
        if (c >= 0 && c <= ' ') {
          pos++;
          continue;
        }
        int s = pos;
        for (;;) {
          while (pos < lim && (buf[pos] < 0 || buf[pos] > ' ')) pos++;
          if (pos < lim) break;
          int keep = lim - s;   // the token runs past the buffer: move it to the front and read on
          if (keep == buf.length)
            throw new IOException("read " + path + ": a token longer than " + BUFFER + " bytes at byte " + (bufPos + s)
                + "; expected a text file of whitespace-separated words");
          System.arraycopy(buf, s, buf, 0, keep);
          long at = bufPos + lim;
          bufPos += s;
          pos = keep;
          lim = keep;
          s = 0;
          if (!read(at, keep)) break;
        }
        hot[OFF] = s;
        hot[LEN] = pos - s;
        return TOKEN;
      }
    } finally {
      hot[POS] = pos;
    }
  }

  /** Refills the buffer from file offset {@code at} (the caller resets its position to 0); false at the end. */
  private boolean fill(long at) throws IOException {
    bufPos = at;
    lim = 0;
    return read(at, 0);
  }

  /** Reads file bytes from {@code at} into {@code buf[from..]}; false at the end of the file. */
  private boolean read(long at, int from) throws IOException {
    bb.clear().position(from);
    int n = channel.read(bb, at);
    if (n <= 0) return false;
    lim = from + n;
    return true;
  }
}
