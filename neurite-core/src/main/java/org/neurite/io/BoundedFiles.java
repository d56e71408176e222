package org.neurite.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reading outside files with a hard limit on the bytes read, whatever the file system reports.
 * {@link Files#size} says 0 for {@code /dev/zero}, a named pipe or a {@code /proc} file, so a size
 * check alone lets such a file through: one that never ends runs the heap out, one that never
 * answers hangs. Only regular files are opened (links are followed to one), and at most
 * {@code max} bytes are read; one more is an error that names the file and the limit.
 *
 * <p>Stateless and thread-safe.
 */
public final class BoundedFiles {
  private BoundedFiles() {}

  /** {@code file}'s bytes, at most {@code max} of them; {@code what} starts error messages. */
  public static byte[] readAllBytes(Path file, long max, String what) throws IOException {
    long declared = requireRegular(file, what);
    if (declared > max) throw tooLarge(file, declared, max, what);
    long cap = Math.min(max, Integer.MAX_VALUE - 8);
    Heap.requireArray(what + " " + file, Math.max(declared, 0));
    try (InputStream in = Files.newInputStream(file)) {
      // Sized by the declared length, grown only if the file turns out longer (it may be growing).
      byte[] buf = new byte[(int) Math.min(Math.max(declared, 8192), cap)];
      int n = 0;
      while (true) {
        if (n == buf.length) {
          if (n >= cap) {
            if (in.read() < 0) return buf;
            throw tooLarge(file, -1, max, what);
          }
          long grown = Math.min(cap, Math.max(2L * buf.length, 8192));
          Heap.requireArray(what + " " + file, grown);
          buf = Arrays.copyOf(buf, (int) grown);
        }
        int r = in.read(buf, n, buf.length - n);
        if (r < 0) return n == buf.length ? buf : Arrays.copyOf(buf, n);
        n += r;
      }
    }
  }

  /** {@code file} as UTF-8 text, at most {@code max} bytes of it; bytes that are not UTF-8 are an error. */
  public static String readString(Path file, long max, String what) throws IOException {
    byte[] b = readAllBytes(file, max, what);
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      throw new IOException(what + " " + file + ": not UTF-8 text", e);
    }
  }

  /**
   * An input stream over {@code file}, which must be a regular file; the caller bounds what it reads.
   * Use for formats read as a stream (IDX, corpora), where the limit is the format's own.
   */
  public static InputStream open(Path file, String what) throws IOException {
    requireRegular(file, what);
    return Files.newInputStream(file);
  }

  /** The size of {@code file}, which must exist and be a regular file (not a device, pipe or folder). */
  public static long requireRegular(Path file, String what) throws IOException {
    if (Files.isRegularFile(file)) return Files.size(file);
    if (!Files.exists(file)) throw new NoSuchFileException(what + " " + file + ": no such file");
    if (Files.isDirectory(file)) throw new IOException(what + " " + file + ": is a folder; expected a file");
    throw new IOException(what + " " + file + ": not a regular file (a device, pipe or socket); expected a file");
  }

  private static IOException tooLarge(Path file, long size, long max, String what) {
    return new IOException(what + " " + file + ": " + (size >= 0 ? size + " bytes" : "longer than " + max + " bytes")
        + "; expected at most " + max + " bytes (" + Heap.mib(max) + ")");
  }
}
