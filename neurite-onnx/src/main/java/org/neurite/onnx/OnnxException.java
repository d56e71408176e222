package org.neurite.onnx;

import java.io.IOException;

/**
 * A model file that Neurite cannot import: corrupt or truncated protobuf, an operator or opset it does
 * not support, a graph that is not a DAG, a tensor whose declared size does not match its data, or
 * external data outside the model's directory. The message is one line naming the file, the node or
 * tensor, what was expected and what came instead.
 *
 * <p>Thread-safe as any exception: it adds no state to {@link java.io.IOException}'s.
 */
public final class OnnxException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * An import error with its message.
   *
   * @param message what went wrong, on one line (line breaks from the file are escaped)
   */
  public OnnxException(String message) {
    super(oneLine(message));
  }

  /**
   * An import error with its message and the exception behind it.
   *
   * @param message what went wrong, on one line (line breaks from the file are escaped)
   * @param cause the parser's or reader's exception
   */
  public OnnxException(String message, Throwable cause) {
    super(oneLine(message), cause);
  }

  // Names in a message come from the file; a crafted name must not break the message into lines
  // (found by OnnxFuzzTest: a value name holding a newline).
  private static String oneLine(String message) {
    return org.neurite.io.Messages.clip(message, Math.max(80, message == null ? 0 : message.length() * 6));
  }
}
