package org.neurite.onnx;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.neurite.onnx.proto.OnnxProto.StringStringEntryProto;
import org.neurite.onnx.proto.OnnxProto.TensorProto;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * TensorProto to float32 {@link Tensor} and back. Decoding checks every declared size against the data
 * before allocating anything, so a file that declares a [10^9, 10^9] tensor with a few bytes of data is
 * an error, not an out-of-memory crash; external data is read only from files inside the model's own
 * directory (after resolving symbolic links).
 *
 * <p>Not here: strings, complex numbers, float8/int4 and sparse tensors (errors naming the tensor).
 */
final class TensorCodec {
  /** The most elements one tensor may have: a Java array's limit. */
  static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  private TensorCodec() {}

  /** A decoded tensor and the ONNX type it had. */
  record Decoded(Tensor tensor, DType type) {}

  /**
   * Decodes {@code t}; {@code modelDir} (null when the model came from bytes) is where external data
   * may live; {@code where} names the tensor in errors ("initializer \"conv1.weight\"").
   */
  static Decoded decode(TensorProto t, Path modelDir, String where) throws OnnxException {
    DType type = DType.of(t.getDataType());
    if (type == null || !type.supported())
      throw new OnnxException(where + ": data type " + (type == null ? "code " + t.getDataType() : type.onnxName())
          + " is not supported (Neurite reads float, double, float16, bfloat16, integer and bool tensors)");
    if (t.hasSegment()) throw new OnnxException(where + ": segmented tensors are not supported");
    int[] shape = shape(t.getDimsList(), where);
    int n = Shape.size(shape);
    float[] v;
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      v = decodeRaw(readExternal(t, modelDir, (long) n * type.bytes, where), type, n);
    } else if (t.hasRawData()) {
      ByteString raw = t.getRawData();
      if (raw.size() != (long) n * type.bytes)
        throw new OnnxException(where + ": " + type.onnxName() + " " + Shape.str(shape) + " needs " + (long) n * type.bytes
            + " bytes of raw_data, the file holds " + raw.size());
      v = decodeRaw(raw.asReadOnlyByteBuffer(), type, n);
    } else {
      v = decodeTyped(t, type, n, shape, where);
    }
    return new Decoded(Tensor.of(v, shape), type);
  }

  /** Dims as ints, each >= 0, with a product a Java array can hold. */
  static int[] shape(java.util.List<Long> dims, String where) throws OnnxException {
    int[] shape = new int[dims.size()];
    long n = 1;
    for (int i = 0; i < shape.length; i++) {
      long d = dims.get(i);
      if (d < 0) throw new OnnxException(where + ": dimension " + i + " is negative (" + d + ")");
      if (d > MAX_ELEMENTS)
        throw new OnnxException(where + ": dimension " + i + " (" + d + ") is larger than a tensor can hold (" + MAX_ELEMENTS + ")");
      shape[i] = (int) d;
      n = d == 0 ? 0 : (n > MAX_ELEMENTS / d ? MAX_ELEMENTS + 1 : n * d);
    }
    if (n > MAX_ELEMENTS)
      throw new OnnxException(where + ": shape " + dims + " has more elements than a tensor can hold (" + MAX_ELEMENTS + ")");
    return shape;
  }

  private static float[] decodeTyped(TensorProto t, DType type, int n, int[] shape, String where) throws OnnxException {
    int have;
    switch (type) {
      case FLOAT -> have = t.getFloatDataCount();
      case DOUBLE -> have = t.getDoubleDataCount();
      case INT64 -> have = t.getInt64DataCount();
      case UINT32, UINT64 -> have = t.getUint64DataCount();
      default -> have = t.getInt32DataCount();
    }
    if (have != n)
      throw new OnnxException(where + ": " + type.onnxName() + " " + Shape.str(shape) + " needs " + n + " values, the file holds "
          + have);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = switch (type) {
        case FLOAT -> t.getFloatData(i);
        case DOUBLE -> (float) t.getDoubleData(i);
        case INT64 -> (float) t.getInt64Data(i);
        case UINT32 -> (float) (t.getUint64Data(i) & 0xffffffffL);
        case UINT64 -> unsigned64(t.getUint64Data(i));
        case FLOAT16 -> Float.float16ToFloat((short) t.getInt32Data(i));
        case BFLOAT16 -> Float.intBitsToFloat((t.getInt32Data(i) & 0xffff) << 16);
        case BOOL -> t.getInt32Data(i) != 0 ? 1f : 0f;
        default -> (float) t.getInt32Data(i);
      };
    }
    return v;
  }

  private static float unsigned64(long bits) {
    return bits >= 0 ? (float) bits : (float) ((bits >>> 1) | (bits & 1)) * 2f;
  }

  private static float[] decodeRaw(ByteBuffer b, DType type, int n) {
    b = b.slice().order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[n];
    switch (type) {
      case FLOAT -> b.asFloatBuffer().get(v);
      case DOUBLE -> { for (int i = 0; i < n; i++) v[i] = (float) b.getDouble(); }
      case INT64 -> { for (int i = 0; i < n; i++) v[i] = (float) b.getLong(); }
      case UINT64 -> { for (int i = 0; i < n; i++) v[i] = unsigned64(b.getLong()); }
      case INT32 -> { for (int i = 0; i < n; i++) v[i] = (float) b.getInt(); }
      case UINT32 -> { for (int i = 0; i < n; i++) v[i] = (float) (b.getInt() & 0xffffffffL); }
      case INT16 -> { for (int i = 0; i < n; i++) v[i] = b.getShort(); }
      case UINT16 -> { for (int i = 0; i < n; i++) v[i] = b.getShort() & 0xffff; }
      case INT8 -> { for (int i = 0; i < n; i++) v[i] = b.get(); }
      case UINT8 -> { for (int i = 0; i < n; i++) v[i] = b.get() & 0xff; }
      case BOOL -> { for (int i = 0; i < n; i++) v[i] = b.get() != 0 ? 1f : 0f; }
      case FLOAT16 -> { for (int i = 0; i < n; i++) v[i] = Float.float16ToFloat(b.getShort()); }
      case BFLOAT16 -> { for (int i = 0; i < n; i++) v[i] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16); }
      default -> throw new IllegalStateException("decodeRaw: " + type);
    }
    return v;
  }

  // ---------------------------------------------------------------- external data

  /**
   * The bytes of an external tensor: "location" relative to the model's directory (no absolute path,
   * nothing that resolves outside it, symbolic links included), "offset" and "length" within the file.
   */
  private static ByteBuffer readExternal(TensorProto t, Path modelDir, long need, String where) throws OnnxException {
    String location = null;
    long offset = 0, length = -1;
    for (StringStringEntryProto e : t.getExternalDataList()) {
      switch (e.getKey()) {
        case "location" -> location = e.getValue();
        case "offset" -> offset = parseLong(e.getValue(), "offset", where);
        case "length" -> length = parseLong(e.getValue(), "length", where);
        default -> { }   // "checksum" and unknown keys do not change the data
      }
    }
    if (location == null || location.isEmpty()) throw new OnnxException(where + ": external data has no \"location\"");
    Path file = resolveInside(modelDir, location, where);
    long size;
    try {
      size = org.neurite.io.BoundedFiles.requireRegular(file, where + ": external data");
    } catch (IOException e) {
      throw new OnnxException(where + ": cannot read external data file " + file + ": " + e.getMessage(), e);
    }
    if (length < 0) length = size - offset;
    if (length != need)
      throw new OnnxException(where + ": external data length " + length + " does not match the " + need
          + " bytes its type and shape need");
    if (offset < 0 || offset > size || size - offset < length)
      throw new OnnxException(where + ": external data [" + offset + ", " + (offset + length) + ") lies outside "
          + location + " (" + size + " bytes)");
    try {
      org.neurite.io.Heap.requireArray(where + ": read external data " + location, length);
    } catch (org.neurite.io.Heap.TooLargeException e) {
      throw new OnnxException(e.getMessage(), e);
    }
    ByteBuffer buf = ByteBuffer.allocate((int) length);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long pos = offset;
      while (buf.hasRemaining()) {
        int r = ch.read(buf, pos);
        if (r < 0) throw new OnnxException(where + ": external data file " + location + " ended early");
        pos += r;
      }
    } catch (IOException e) {
      if (e instanceof OnnxException oe) throw oe;
      throw new OnnxException(where + ": reading external data " + location + ": " + e.getMessage(), e);
    }
    return buf.flip();
  }

  /** {@code location} resolved in {@code dir}; an error unless the real file lies inside the real directory. */
  static Path resolveInside(Path dir, String location, String where) throws OnnxException {
    if (dir == null)
      throw new OnnxException(where + ": external data \"" + location + "\" needs the model's directory; load the model from a file");
    Path rel;
    try {
      rel = Path.of(location);
    } catch (RuntimeException e) {
      throw new OnnxException(where + ": external data location \"" + location + "\" is not a valid path");
    }
    Path root;
    try {
      root = dir.toRealPath();
    } catch (IOException e) {
      throw new OnnxException(where + ": model directory " + dir + " cannot be read: " + e.getMessage(), e);
    }
    Path p = root.resolve(rel).normalize();
    if (rel.isAbsolute() || location.startsWith("/") || location.startsWith("\\") || !p.startsWith(root) || p.equals(root))
      throw new OnnxException(where + ": external data location \"" + location + "\" is outside the model's directory "
          + root + "; external files must lie in the model's own directory");
    Path real;
    try {
      real = p.toRealPath();
    } catch (NoSuchFileException e) {
      throw new OnnxException(where + ": external data file \"" + location + "\" does not exist in " + root);
    } catch (IOException e) {
      throw new OnnxException(where + ": external data file \"" + location + "\": " + e.getMessage(), e);
    }
    if (!real.startsWith(root))
      throw new OnnxException(where + ": external data location \"" + location + "\" links to " + real
          + ", outside the model's directory " + root);
    if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS))
      throw new OnnxException(where + ": external data location \"" + location + "\" is not a regular file");
    return real;
  }

  private static long parseLong(String s, String key, String where) throws OnnxException {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      throw new OnnxException(where + ": external data " + key + " \"" + s + "\" is not an integer");
    }
  }

  // ---------------------------------------------------------------- encoding

  /** A TensorProto named {@code name} holding {@code t} as {@code type} (little-endian raw_data). */
  static TensorProto encode(String name, Tensor t, DType type) {
    float[] v = t.data();
    int n = v.length;
    TensorProto.Builder b = TensorProto.newBuilder().setName(name);
    for (int d : t.shape()) b.addDims(d);
    DType out = switch (type) {
      case INT64, INT32, BOOL, INT8, UINT8 -> type;
      default -> DType.FLOAT;
    };
    b.setDataType(out.code);
    ByteBuffer buf = ByteBuffer.allocate(n * out.bytes).order(ByteOrder.LITTLE_ENDIAN);
    switch (out) {
      case INT64 -> { for (float x : v) buf.putLong(clampLong(x)); }
      case INT32 -> { for (float x : v) buf.putInt((int) x); }
      case BOOL -> { for (float x : v) buf.put((byte) (x != 0 ? 1 : 0)); }
      case INT8, UINT8 -> { for (float x : v) buf.put((byte) (int) x); }
      default -> buf.asFloatBuffer().put(v);
    }
    return b.setRawData(ByteString.copyFrom(buf.array())).build();
  }

  private static long clampLong(float x) {
    return (long) x;   // Java saturates: 9.2e18f becomes Long.MAX_VALUE, as ONNX's INT64_MAX slice ends need
  }
}
