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
 * contain bytes below 0x80. Tokens are left in the buffer: {@code buf[off, off + len)}.
 */
final class LineTokenizer {
  static final int TOKEN = 0, END_OF_LINE = 1, END = 2;
  private static final int BUFFER = 1 << 18;

  private final FileChannel channel;
  private final Path path;
  final byte[] buf = new byte[BUFFER];
  private final ByteBuffer bb = ByteBuffer.wrap(buf);
  private long bufPos;      // file offset of buf[0]
  private int pos, lim;
  private long end;         // lines starting at or after this offset belong to the next range
  private boolean lineStart;
  int off, len;             // the last token

  LineTokenizer(FileChannel channel, Path path) {
    this.channel = channel;
    this.path = path;
  }

  /** Positions at the first line starting in {@code [start, end)}. */
  void range(long start, long end) throws IOException {
    this.end = end;
    lineStart = true;
    if (start == 0) {
      fill(0);
      return;
    }
    fill(start - 1);   // the line starts here only if the byte before is a line end
    for (;;) {
      while (pos < lim) if (buf[pos++] == '\n') return;
      if (!fill(bufPos + lim)) return;
    }
  }

  /** The next {@link #TOKEN} (then {@link #off}, {@link #len}), {@link #END_OF_LINE}, or {@link #END} of the range. */
  int next() throws IOException {
    for (;;) {
      if (pos == lim && !fill(bufPos + lim)) return END;
      if (lineStart) {
        if (bufPos + pos >= end) return END;
        lineStart = false;
      }
      byte c = buf[pos];
      if (c == '\n') {
        pos++;
        lineStart = true;
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
      off = s;
      len = pos - s;
      return TOKEN;
    }
  }

  private boolean fill(long at) throws IOException {
    bufPos = at;
    pos = 0;
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
