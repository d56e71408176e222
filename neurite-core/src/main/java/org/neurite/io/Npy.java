package org.neurite.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * NumPy's {@code .npy} format (versions 1.0 to 3.0): a magic string, a header dict with descr,
 * fortran_order and shape, then raw data. Reads little-endian float32, float64, int64, int32 and
 * uint8 arrays in C order into float32 tensors; writes float32.
 *
 * <p>Reference: numpy.lib.format (NEP 1).
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /**
   * Reads a {@code .npy} file into a float32 tensor.
   *
   * @param file the {@code .npy} file
   * @return its array as float32, in its shape
   * @throws IOException if the file cannot be read, or is not a C-order array of a supported type
   */
  public static Tensor read(Path file) throws IOException {
    String where = "npy " + file;
    long size = BoundedFiles.requireRegular(file, "npy");
    if (size > Integer.MAX_VALUE - 8) throw new IOException(where + ": file is " + size + " bytes; files over 2 GiB are not supported");
    byte[] all = BoundedFiles.readAllBytes(file, Integer.MAX_VALUE - 8, "npy");
    if (all.length < 10 || !java.util.Arrays.equals(java.util.Arrays.copyOf(all, 6), MAGIC))
      throw new IOException(where + ": not a .npy file (missing the \\x93NUMPY magic)");
    int major = all[6];
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    int headerLen, start;
    if (major == 1) {
      headerLen = b.getShort(8) & 0xffff;
      start = 10;
    } else if ((major == 2 || major == 3) && all.length >= 12) {
      headerLen = b.getInt(8);
      start = 12;
    } else {
      throw new IOException(where + ": format version " + major + " is not supported (1 to 3)");
    }
    if (headerLen < 0 || (long) start + headerLen > all.length) throw new IOException(where + ": header is truncated");
    String header = new String(all, start, headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
    if (!d.find() || !f.find() || !s.find())
      throw new IOException(where + ": header lacks descr, fortran_order or shape: " + clip(header.trim()));
    if (f.group(1).equals("True"))
      throw new IOException(where + ": Fortran-order arrays are not supported; save with np.ascontiguousarray(x)");
    String dims = s.group(1).trim();
    String[] parts = dims.isEmpty() ? new String[0] : java.util.Arrays.stream(dims.split(",")).map(String::trim)
        .filter(x -> !x.isEmpty()).toArray(String[]::new);
    int[] shape = new int[parts.length];
    long count = 1;
    for (int i = 0; i < parts.length; i++) {
      if (!parts[i].matches("\\d{1,10}") || Long.parseLong(parts[i]) > Integer.MAX_VALUE)
        throw new IOException(where + ": shape (" + clip(dims) + ") must hold integers >= 0");
      shape[i] = Integer.parseInt(parts[i]);
      count = shape[i] == 0 ? 0 : count > (Long.MAX_VALUE / 16) / shape[i] ? Long.MAX_VALUE / 16 : count * shape[i];
    }
    String descr = d.group(1);
    int width = switch (descr) {
      case "<f4", "<i4" -> 4;
      case "<f8", "<i8" -> 8;
      case "|u1", "|i1", "|b1" -> 1;
      default -> throw new IOException(where + ": dtype " + clip(descr) + " is not supported (float32, float64, int64, int32, uint8)");
    };
    int data = start + headerLen;
    if (count * width > all.length - data)
      throw new IOException(where + ": " + descr + " " + Shape.str(shape) + " needs " + count * width + " bytes of data, the file has "
          + (all.length - data));
    int n = (int) count;
    Heap.requireArray("read " + file, 4L * n);   // one float array
    b.position(data);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = switch (descr) {
        case "<f4" -> b.getFloat();
        case "<f8" -> (float) b.getDouble();
        case "<i8" -> (float) b.getLong();
        case "<i4" -> (float) b.getInt();
        case "|i1" -> b.get();
        default -> b.get() & 0xff;
      };
    }
    return Tensor.of(v, shape);
  }

  private static String clip(String s) {
    return Messages.clip(s);
  }

  /**
   * Writes {@code t} as a float32 C-order array (version 1.0), atomically.
   *
   * @param file the file to write
   * @param t the tensor
   * @throws IOException if the file cannot be written
   */
  public static void write(Path file, Tensor t) throws IOException {
    int[] s = t.shape();
    StringBuilder shape = new StringBuilder("(");
    for (int i = 0; i < s.length; i++) shape.append(s[i]).append(s.length == 1 || i < s.length - 1 ? "," : "");
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape.append(')') + ", }";
    int pad = 64 - (10 + dict.length() + 1) % 64;
    String header = dict + " ".repeat(pad % 64) + "\n";
    byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(10 + h.length + 4 * t.size()).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length).put(h);
    for (float x : t.data()) b.putFloat(x);
    AtomicFiles.write(file, b.array());
  }
}
