package org.neurite.text;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Strict UTF-8 reading with errors that name the file, and atomic line writing. Package-private plumbing. */
final class TextFiles {
  private TextFiles() {}

  /** The whole file as text: UTF-8, a leading byte-order mark dropped; bytes that are not UTF-8 are an error. */
  static String read(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = org.neurite.io.BoundedFiles.readAllBytes(file, Integer.MAX_VALUE - 8, "text");
    } catch (NoSuchFileException e) {
      Path parent = file.toAbsolutePath().getParent();
      throw new IOException(file + ": no such file"
          + (parent != null && !Files.isDirectory(parent) ? " (no such folder " + parent + ")" : ""), e);
    }
    CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    String s;
    try {
      s = d.decode(in).toString();
    } catch (CharacterCodingException e) {
      throw new IOException(file + ": expected UTF-8 text, found bytes that are not UTF-8 near byte " + in.position()
          + "; re-encode the file, e.g. iconv -f windows-1252 -t utf-8", e);
    }
    return !s.isEmpty() && s.charAt(0) == '\uFEFF' ? s.substring(1) : s;
  }

  /** The file's lines (ends: \n, \r\n or \r), the empty piece after a final line end not counted. */
  static List<String> readLines(Path file) throws IOException {
    return lines(read(file));
  }

  static List<String> lines(String s) {
    List<String> out = new ArrayList<>();
    int n = s.length(), start = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == '\n' || c == '\r') {
        out.add(s.substring(start, i));
        if (c == '\r' && i + 1 < n && s.charAt(i + 1) == '\n') i++;
        start = i + 1;
      }
    }
    if (start < n) out.add(s.substring(start));
    return out;
  }
}
