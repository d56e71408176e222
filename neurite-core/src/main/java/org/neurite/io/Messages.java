package org.neurite.io;

/**
 * Quoting outside data inside error messages: errors are one line (STYLE.md), so text taken from a
 * file is clipped and its control characters escaped before it goes into a message.
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class Messages {
  private Messages() {}

  /**
   * {@code s} with control characters written as {@code \n}, {@code \t} or {@code \u0001}, clipped to
   * {@code max} characters.
   *
   * @param s the text ({@code null} gives "null")
   * @param max the most characters kept
   * @return the escaped text, with "..." when clipped
   */
  public static String clip(String s, int max) {
    if (s == null) return "null";
    StringBuilder b = new StringBuilder(Math.min(s.length(), max) + 8);
    int i = 0;
    for (; i < s.length() && b.length() < max; i++) {
      char c = s.charAt(i);
      if (c == '\n') b.append("\\n");
      else if (c == '\r') b.append("\\r");
      else if (c == '\t') b.append("\\t");
      else if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || c == '\u0085')
        b.append("\\u").append(String.format(java.util.Locale.ROOT, "%04x", (int) c));
      else b.append(c);
    }
    return i < s.length() ? b + "..." : b.toString();
  }

  /**
   * {@link #clip(String, int)} to 80 characters.
   *
   * @param s the text ({@code null} gives "null")
   * @return the escaped text, with "..." when clipped
   */
  public static String clip(String s) {
    return clip(s, 80);
  }
}
