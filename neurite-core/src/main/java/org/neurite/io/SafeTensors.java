package org.neurite.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header mapping
 * names to {dtype, shape, data_offsets} (and an optional "__metadata__" of strings), then the raw
 * little-endian bytes. Reads F32, F64, F16, BF16, I64 and I32 into float32 tensors; writes F32. Writes
 * go to a temporary file renamed into place ({@link AtomicFiles}), so a crash never leaves a
 * half-written file.
 *
 * <p>Untrusted input: every declared size (header length, shapes, offsets) is checked against the
 * file's size before anything is allocated, and the total against the heap ({@link Heap}); a bad
 * file is an {@link IOException} naming the file, the tensor and what is wrong, never another
 * exception.
 *
 * <p>Reference: https://github.com/huggingface/safetensors (format section of the README).
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class SafeTensors {
  private static final ObjectMapper HEADER = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  /** The reference implementation's limit on the header (100 MB). */
  static final long MAX_HEADER = 100_000_000;

  private SafeTensors() {}

  /**
   * Reads every tensor of the file, in header order.
   *
   * @param file the {@code .safetensors} file
   * @return each tensor by name, as float32
   * @throws IOException if the file cannot be read or is not valid safetensors; the message names the tensor
   */
  public static Map<String, Tensor> read(Path file) throws IOException {
    String where = "safetensors " + file;
    long size = BoundedFiles.requireRegular(file, "safetensors");
    if (size > Integer.MAX_VALUE - 8)
      throw new IOException(where + ": file is " + size + " bytes; files over 2 GiB are not supported (shard the weights)");
    byte[] all = BoundedFiles.readAllBytes(file, Integer.MAX_VALUE - 8, "safetensors");
    if (all.length < 8) throw new IOException(where + ": file is " + all.length + " bytes, too short for the header length");
    long headerLen = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (headerLen < 2 || headerLen > all.length - 8 || headerLen > MAX_HEADER)
      throw new IOException(where + ": header length " + headerLen + " does not fit in a file of " + all.length + " bytes");
    int dataStart = 8 + (int) headerLen;
    long dataLen = all.length - dataStart;
    JsonNode header;
    try {
      header = HEADER.readTree(new String(all, 8, (int) headerLen, StandardCharsets.UTF_8));
    } catch (JacksonException e) {
      throw new IOException(where + ": header is not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
    if (header == null || !header.isObject()) throw new IOException(where + ": header is not a JSON object");
    // First pass: validate every entry against the file, and add up what the tensors will need.
    record Entry(String name, String dtype, int[] shape, int width, long begin) {}
    Map<String, Entry> entries = new LinkedHashMap<>();
    long floats = 0;
    for (var it = header.properties().iterator(); it.hasNext(); ) {
      var f = it.next();
      String name = f.getKey();
      if (name.equals("__metadata__")) continue;
      JsonNode t = f.getValue();
      String at = where + ": tensor \"" + clip(name) + "\"";
      if (!t.isObject() || !t.path("dtype").isTextual() || !t.path("shape").isArray() || !t.path("data_offsets").isArray()
          || t.path("data_offsets").size() != 2)
        throw new IOException(at + ": expected {\"dtype\", \"shape\", \"data_offsets\": [begin, end]}, got " + clip(t.toString()));
      String dtype = t.get("dtype").asText();
      int width = switch (dtype) {
        case "F32", "I32" -> 4;
        case "F64", "I64" -> 8;
        case "F16", "BF16" -> 2;
        default -> throw new IOException(at + " has dtype " + clip(dtype) + "; supported: F32, F64, F16, BF16, I64, I32");
      };
      JsonNode dims = t.get("shape");
      int[] shape = new int[dims.size()];
      long n = 1;
      for (int k = 0; k < shape.length; k++) {
        JsonNode d = dims.get(k);
        if (!d.canConvertToInt() || !d.isIntegralNumber() || d.asInt() < 0)
          throw new IOException(at + ": shape " + clip(dims.toString()) + " must hold integers >= 0");
        shape[k] = d.asInt();
        n = shape[k] == 0 ? 0 : n <= Integer.MAX_VALUE ? n * shape[k] : n;
      }
      JsonNode b = t.get("data_offsets").get(0), e = t.get("data_offsets").get(1);
      long begin = b.canConvertToLong() && b.isIntegralNumber() ? b.asLong() : -1;
      long end = e.canConvertToLong() && e.isIntegralNumber() ? e.asLong() : -1;
      if (n > Integer.MAX_VALUE - 8 || begin < 0 || end < begin || end > dataLen || end - begin != n * width)
        throw new IOException(at + " " + dtype + " " + Shape.str(shape) + " needs "
            + (n > Integer.MAX_VALUE - 8 ? "more than 2^31 elements" : n * width + " bytes") + " at [" + b + ", " + e
            + "), file data holds " + dataLen);
      entries.put(name, new Entry(name, dtype, shape, width, begin));
      floats += 4 * n;
    }
    // As the reference reader: the tensors tile the data buffer, no overlaps and no holes. Overlapping
    // entries would alias one stored tensor into two parameters; a hole hides bytes nobody reads.
    var byOffset = new java.util.ArrayList<>(entries.values());
    byOffset.sort(java.util.Comparator.comparingLong(Entry::begin));
    long next = 0;
    for (Entry en : byOffset) {
      long end = en.begin + (long) Shape.size(en.shape) * en.width;
      if (en.begin != next)
        throw new IOException(where + ": tensor \"" + clip(en.name) + "\" starts at byte " + en.begin + " of the data, expected "
            + next + (en.begin < next ? " (it overlaps the tensor before it)" : " (a hole before it)")
            + "; the tensors must tile the data without gaps or overlaps");
      next = end;
    }
    if (next != dataLen)
      throw new IOException(where + ": the tensors cover " + next + " bytes of data, the file holds " + dataLen
          + "; expected them to cover all of it");
    Heap.require("read " + file + " (" + entries.size() + " tensors)", floats);
    long largest = 0;
    for (Entry en : entries.values()) largest = Math.max(largest, 4L * Shape.size(en.shape));
    Heap.requireArray("read " + file + " (its largest tensor)", largest);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Entry en : entries.values()) {
      int n = Shape.size(en.shape);
      ByteBuffer b = ByteBuffer.wrap(all, dataStart + (int) en.begin, n * en.width).order(ByteOrder.LITTLE_ENDIAN);
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = switch (en.dtype) {
          case "F32" -> b.getFloat();
          case "F64" -> (float) b.getDouble();
          case "I64" -> (float) b.getLong();
          case "I32" -> (float) b.getInt();
          case "F16" -> Float.float16ToFloat(b.getShort());
          default -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
        };
      }
      out.put(en.name, Tensor.of(v, en.shape));
    }
    return out;
  }

  /**
   * Writes the tensors as F32, atomically (temporary file, flushed to disk, then renamed).
   *
   * @param file the file to write
   * @param tensors the tensors by name, in the order to write them
   * @throws IOException if the file cannot be written
   */
  public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
    StringBuilder h = new StringBuilder("{");
    long at = 0;
    for (var e : tensors.entrySet()) {
      if (h.length() > 1) h.append(',');
      long bytes = 4L * e.getValue().size();
      h.append(HEADER.writeValueAsString(e.getKey())).append(":{\"dtype\":\"F32\",\"shape\":")
          .append(Shape.str(e.getValue().shape()).replace(" ", "")).append(",\"data_offsets\":[").append(at).append(',')
          .append(at + bytes).append("]}");
      at += bytes;
    }
    h.append('}');
    byte[] json = h.toString().getBytes(StandardCharsets.UTF_8);
    byte[] header = java.util.Arrays.copyOf(json, (json.length + 7) / 8 * 8);   // align the data to 8 bytes, as the reference writer does
    java.util.Arrays.fill(header, json.length, header.length, (byte) ' ');
    if (8L + header.length + at > Integer.MAX_VALUE - 8)
      throw new IOException("write " + file + ": " + (8L + header.length + at) + " bytes; files over 2 GiB are not supported");
    // Streamed through a 64 KiB buffer: a whole-file array would double a large model's memory while saving
    // (a checkpoint with Adam's moments of a 44 M-weight layer is 530 MB).
    AtomicFiles.write(file, out -> {
      ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
      buf.putLong(header.length);
      out.write(buf.array(), 0, 8);
      out.write(header);
      buf.clear();
      for (Tensor t : tensors.values()) {
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
          if (!buf.hasRemaining()) {
            out.write(buf.array(), 0, buf.position());
            buf.clear();
          }
          buf.putFloat(d[i]);
        }
      }
      out.write(buf.array(), 0, buf.position());
    });
  }

  private static String clip(String s) {
    return Messages.clip(s);
  }
}
