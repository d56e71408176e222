package org.neurite.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Whole-file writes that never leave a half-written file: the content goes to a temporary sibling
 * ({@code .NAME.XXXX.tmp} in the same directory, so the rename cannot cross file systems), is flushed
 * and forced to the disk, and is then renamed over the target in one atomic step; the directory is
 * forced too, so the rename itself survives a power cut. A process killed at any point leaves either
 * the old file or the new one (and at worst a stray {@code .tmp} file, which the next write of the
 * same file removes). Every file Neurite writes goes through here or through
 * {@link ModelFiles}' directory swap, which is built on it.
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes the file's content to a stream; the stream is buffered and closed by the caller. */
  @FunctionalInterface
  public interface Writer {
    /**
     * Writes the content.
     *
     * @param out the stream to write to
     * @throws IOException if writing fails
     */
    void write(OutputStream out) throws IOException;
  }

  /**
   * Writes {@code bytes} to {@code file} atomically, as {@link #write(Path, Writer)} does.
   *
   * @param file the file to write
   * @param bytes its content
   * @throws IOException if the file cannot be written; the old file, if any, is left as it was
   */
  public static void write(Path file, byte[] bytes) throws IOException {
    write(file, out -> out.write(bytes));
  }

  /**
   * Writes {@code text} to {@code file} atomically, as UTF-8.
   *
   * @param file the file to write
   * @param text its content, encoded as UTF-8
   * @throws IOException if the file cannot be written; the old file, if any, is left as it was
   */
  public static void writeString(Path file, CharSequence text) throws IOException {
    write(file, text.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Streams the content into a temporary sibling of {@code file}, forces it to disk, then renames it into
   * place.
   *
   * @param file the file to write
   * @param writer writes the content
   * @throws IOException if the file cannot be written; the old file, if any, is left as it was
   */
  public static void write(Path file, Writer writer) throws IOException {
    Path abs = file.toAbsolutePath();
    Path dir = abs.getParent();
    Files.createDirectories(dir);
    removeStale(dir, "." + abs.getFileName() + ".");
    Path tmp = Files.createFile(dir.resolve("." + abs.getFileName() + "." + randomSuffix() + ".tmp"));   // umask permissions, unlike createTempFile's 0600
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
           OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
        writer.write(out);
        out.flush();
        ch.force(true);
      }
      move(tmp, abs);
      forceDirectory(dir);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw new IOException("write " + file + ": " + e.getMessage() + " (nothing was changed)", e);
    } catch (RuntimeException | Error e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  static String randomSuffix() {
    return Long.toUnsignedString(java.util.concurrent.ThreadLocalRandom.current().nextLong(), 36);
  }

  /** Renames {@code from} over {@code to} atomically where the file system can. */
  static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Forces a directory's entries (a rename) to disk; a no-op where the platform cannot open directories. */
  static void forceDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Windows cannot open a directory; the rename is still atomic there, only not yet durable.
    }
  }

  /** Forces a written file to disk. */
  static void forceFile(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  // Temporary files of earlier writes of the same file that were killed before their rename.
  private static void removeStale(Path dir, String prefix) {
    try (var s = Files.newDirectoryStream(dir, p -> {
      String n = p.getFileName().toString();
      return n.startsWith(prefix) && n.endsWith(".tmp");
    })) {
      for (Path p : s) {
        // Only files old enough not to belong to a concurrent writer of the same file.
        if (Files.isRegularFile(p) && Files.getLastModifiedTime(p).toMillis() < System.currentTimeMillis() - 60_000)
          Files.deleteIfExists(p);
      }
    } catch (IOException ignored) {
      // cleaning up is best effort
    }
  }
}
