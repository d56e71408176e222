package org.neurite.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header mapping
 * names to {dtype, shape, data_offsets}, then the raw little-endian bytes. Reads F32, F64, F16, BF16,
 * I64 and I32 into float32 tensors; writes F32. Writes go to a temporary file renamed into place, so
 * a crash never leaves a half-written file.
 *
 * <p>Reference: https://github.com/huggingface/safetensors (format section of the README).
 */
public final class SafeTensors {
  private static final Pattern ENTRY = Pattern.compile(
      "\"((?:[^\"\\\\]|\\\\.)*)\"\\s*:\\s*\\{\\s*\"dtype\"\\s*:\\s*\"(\\w+)\"\\s*,\\s*\"shape\"\\s*:\\s*\\[([^\\]]*)\\]\\s*,"
          + "\\s*\"data_offsets\"\\s*:\\s*\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\]\\s*\\}");

  private SafeTensors() {}

  /** Reads every tensor of the file, in header order. */
  public static Map<String, Tensor> read(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    String where = "safetensors " + file;
    if (all.length < 8) throw new IOException(where + ": file is " + all.length + " bytes, too short for the header length");
    long headerLen = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (headerLen < 2 || headerLen > all.length - 8)
      throw new IOException(where + ": header length " + headerLen + " does not fit in a file of " + all.length + " bytes");
    String header = new String(all, 8, (int) headerLen, StandardCharsets.UTF_8);
    int dataStart = 8 + (int) headerLen;
    Map<String, Tensor> out = new LinkedHashMap<>();
    Matcher m = ENTRY.matcher(header);
    while (m.find()) {
      String name = m.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
      String dtype = m.group(2);
      String dims = m.group(3).trim();
      int[] shape = dims.isEmpty() ? new int[0] : java.util.Arrays.stream(dims.split(",")).map(String::trim)
          .mapToInt(Integer::parseInt).toArray();
      long begin = Long.parseLong(m.group(4)), end = Long.parseLong(m.group(5));
      int n = Shape.size(shape);
      int width = switch (dtype) {
        case "F32", "I32" -> 4;
        case "F64", "I64" -> 8;
        case "F16", "BF16" -> 2;
        default -> throw new IOException(where + ": tensor \"" + name + "\" has dtype " + dtype
            + "; supported: F32, F64, F16, BF16, I64, I32");
      };
      if (end - begin != (long) n * width || begin < 0 || dataStart + end > all.length)
        throw new IOException(where + ": tensor \"" + name + "\" " + dtype + " " + Shape.str(shape) + " needs "
            + (long) n * width + " bytes at [" + begin + ", " + end + "), file data holds " + (all.length - dataStart));
      ByteBuffer b = ByteBuffer.wrap(all, dataStart + (int) begin, (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = switch (dtype) {
          case "F32" -> b.getFloat();
          case "F64" -> (float) b.getDouble();
          case "I64" -> (float) b.getLong();
          case "I32" -> (float) b.getInt();
          case "F16" -> Float.float16ToFloat(b.getShort());
          default -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
        };
      }
      out.put(name, Tensor.of(v, shape));
    }
    return out;
  }

  /** Writes the tensors as F32, atomically (temporary file, then rename). */
  public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
    StringBuilder h = new StringBuilder("{");
    long at = 0;
    for (var e : tensors.entrySet()) {
      if (h.length() > 1) h.append(',');
      long bytes = 4L * e.getValue().size();
      h.append('"').append(e.getKey().replace("\\", "\\\\").replace("\"", "\\\"")).append("\":{\"dtype\":\"F32\",\"shape\":")
          .append(Shape.str(e.getValue().shape()).replace(" ", "")).append(",\"data_offsets\":[").append(at).append(',')
          .append(at + bytes).append("]}");
      at += bytes;
    }
    h.append('}');
    while ((h.length() + 8) % 8 != 0) h.append(' ');   // align the data to 8 bytes, as the reference writer does
    byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(8 + header.length + (int) at).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(header.length).put(header);
    for (Tensor t : tensors.values()) for (float v : t.data()) buf.putFloat(v);
    AtomicFiles.write(file, buf.array());
  }
}
