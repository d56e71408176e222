package org.neurite.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.function.Executable;

/**
 * Asserts on error messages: the house style promises one-line errors naming the op, what was expected
 * and what came instead, and every such error has a test. Part of neurite-core's test-jar.
 */
public final class Errors {
  private Errors() {}

  /** Asserts that {@code body} throws {@code type} and that its message contains every fragment. */
  public static <T extends Throwable> T assertMessage(Class<T> type, Executable body, String... fragments) {
    T e = assertThrows(type, body);
    String m = e.getMessage();
    if (m == null) throw new AssertionError(type.getSimpleName() + " was thrown without a message");
    if (m.contains("\n")) throw new AssertionError("error message spans several lines: " + m);
    for (String f : fragments)
      if (!m.contains(f)) throw new AssertionError("message lacks \"" + f + "\": " + m);
    return e;
  }
}
