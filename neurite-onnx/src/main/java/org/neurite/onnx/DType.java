package org.neurite.onnx;

/**
 * ONNX element types (TensorProto.DataType codes) as Neurite sees them: every value is held in float32,
 * and the type only decides how a few ops behave (integer Div truncates, Cast to an integer type
 * rounds toward zero, Cast to bool tests != 0) and how a tensor is encoded in a file.
 */
enum DType {
  UNDEFINED(0, 0, false), FLOAT(1, 4, false), UINT8(2, 1, true), INT8(3, 1, true), UINT16(4, 2, true),
  INT16(5, 2, true), INT32(6, 4, true), INT64(7, 8, true), STRING(8, 0, false), BOOL(9, 1, true),
  FLOAT16(10, 2, false), DOUBLE(11, 8, false), UINT32(12, 4, true), UINT64(13, 8, true), COMPLEX64(14, 0, false),
  COMPLEX128(15, 0, false), BFLOAT16(16, 2, false);

  final int code, bytes;
  final boolean integral;

  DType(int code, int bytes, boolean integral) {
    this.code = code;
    this.bytes = bytes;
    this.integral = integral;
  }

  /** The type for an ONNX code; codes Neurite does not know (float8, int4, ...) are null. */
  static DType of(int code) {
    for (DType t : values()) if (t.code == code) return t;
    return null;
  }

  /** Whether Neurite can hold values of this type (all but strings, complex numbers and unknown codes). */
  boolean supported() {
    return bytes > 0;
  }

  /** Rounds a value to what this type can hold: toward zero for integers (C's cast), != 0 for bool. */
  float cast(float v) {
    if (this == BOOL) return v != 0f ? 1f : 0f;
    if (!integral) return this == FLOAT16 ? Float.float16ToFloat(Float.floatToFloat16(v)) : v;
    if (Float.isNaN(v)) return 0f;
    return (float) (long) v;
  }

  String onnxName() {
    return name();
  }
}
