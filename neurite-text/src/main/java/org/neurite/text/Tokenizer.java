package org.neurite.text;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Splits text into word, punctuation and CJK-character tokens by Unicode character classes, with no
 * dictionary and no model: the rule-based word-level tokenizer of Keras' {@code Tokenizer} and
 * torchtext's {@code basic_english}, made Unicode-aware. Not a subword tokenizer (BPE, WordPiece) and
 * not a segmenter for scripts written without spaces other than Chinese and Japanese (Thai, Lao, Khmer
 * and Myanmar text comes out as whole space-separated runs).
 *
 * <p>Steps, in order:
 * <ol>
 *   <li>Unicode normalisation, NFKC by default ({@link #normalization}): composes accents
 *       ({@code "e\u0301"} becomes {@code "é"}) and folds compatibility forms (full-width
 *       {@code "ＡＢＣ１"} becomes {@code "ABC1"}, {@code "…"} becomes {@code "..."}).
 *   <li>Lower case by {@link Locale#ROOT} rules, on by default ({@link #lowerCase}).
 *   <li>Scanning: a <em>word</em> is a run of letters, digits and combining marks, accented ones
 *       included ({@code "café"}, {@code "naïve"}, {@code "21st"}); an apostrophe ({@code '} or
 *       {@code ’}) between two word characters stays inside the word ({@code "don't"},
 *       {@code "film's"}), as does {@code .} or {@code ,} between two digits ({@code "3.5"},
 *       {@code "1,000"}). Every other visible character (punctuation, symbols, emoji) is a token of
 *       its own ({@code "..."} gives three), kept or dropped by {@link #punctuation}; so hyphenated
 *       words split: {@code "co-writer"} gives {@code co - writer}. Han ideographs, Hiragana and
 *       Katakana are one token per character ({@code "我爱你"} gives {@code 我 爱 你}), and so is Hangul
 *       when {@link #hangulAsCharacters} is on (off by default: Korean separates words by spaces).
 *       Whitespace and control characters separate tokens; format characters such as the soft hyphen
 *       and the byte-order mark are dropped without splitting, except the zero-width joiner and
 *       non-joiner, which stay inside the token they follow.
 * </ol>
 * Empty and whitespace-only text gives no tokens. Immutable and thread-safe; the options return a
 * new tokenizer.
 *
 * <p>Example: {@code new Tokenizer().tokenize("Don't panic, Zoë!")} is {@code [don't, panic, ",", zoë, "!"]}.
 */
public final class Tokenizer {
  private final boolean lowerCase, keepPunctuation, hangulAsCharacters;
  private final Normalizer.Form form;

  /** Lower case, punctuation kept, NFKC, Hangul as words. */
  public Tokenizer() {
    this(true, true, false, Normalizer.Form.NFKC);
  }

  private Tokenizer(boolean lowerCase, boolean keepPunctuation, boolean hangulAsCharacters, Normalizer.Form form) {
    this.lowerCase = lowerCase;
    this.keepPunctuation = keepPunctuation;
    this.hangulAsCharacters = hangulAsCharacters;
    this.form = form;
  }

  /** Whether text is lower-cased before splitting (default true). */
  public Tokenizer lowerCase(boolean on) {
    return new Tokenizer(on, keepPunctuation, hangulAsCharacters, form);
  }

  /** Whether punctuation and symbol tokens are kept (default true) or dropped, as Keras' {@code filters} do. */
  public Tokenizer punctuation(boolean keep) {
    return new Tokenizer(lowerCase, keep, hangulAsCharacters, form);
  }

  /** Whether Hangul is split into one token per character, as Han is (default false). */
  public Tokenizer hangulAsCharacters(boolean on) {
    return new Tokenizer(lowerCase, keepPunctuation, on, form);
  }

  /** The Unicode normalisation applied first (default NFKC); NFC keeps compatibility forms apart. */
  public Tokenizer normalization(Normalizer.Form form) {
    return new Tokenizer(lowerCase, keepPunctuation, hangulAsCharacters, Objects.requireNonNull(form, "form"));
  }

  /** The tokens of {@code text}, in order. */
  public List<String> tokenize(String text) {
    List<String> out = new ArrayList<>();
    tokenize(text, out);
    return out;
  }

  /** Appends the tokens of {@code text} to {@code out}. */
  public void tokenize(String text, List<String> out) {
    tokenizeWhole(text, out);
  }

  /**
   * Appends the first {@code limit} tokens of {@code text} to {@code out}, reading only as much of the
   * text as they need: a 100 MB line cut to 60 tokens costs what its first kilobytes cost, not the
   * gigabytes its normalised copy and token list would. Gives the same tokens as {@link #tokenize}
   * cut to {@code limit}, because it reads in pieces that end at whitespace, which no token crosses.
   */
  public void tokenize(String text, List<String> out, int limit) {
    if (limit < 0) throw new IllegalArgumentException("tokenize: limit (" + limit + ") must be >= 0");
    int first = out.size();
    for (int from = 0, n = text.length(); from < n && out.size() - first < limit; ) {
      int to = Math.min(n, from + CHUNK);
      while (to < n && !Character.isWhitespace(text.charAt(to))) to++;   // a token never spans whitespace
      tokenizeWhole(from == 0 && to == n ? text : text.substring(from, to), out);
      from = to;
    }
    while (out.size() - first > limit) out.remove(out.size() - 1);
  }

  /** Characters tokenised at a time by {@link #tokenize(String, List, int)}. */
  private static final int CHUNK = 1 << 14;

  private void tokenizeWhole(String text, List<String> out) {
    String s = Normalizer.normalize(text, form);   // quick check first: ASCII and normalised text is returned as is
    if (lowerCase) s = s.toLowerCase(Locale.ROOT);
    int n = s.length();
    int start = -1;        // start of the open token in s, or -1
    boolean word = false;  // the open token is a word (letters, digits, marks), else a single character
    boolean dropping = false; // inside a dropped punctuation token: its marks are dropped too
    boolean joinNext = false; // the open token ended in a zero-width joiner: the next character joins it
    StringBuilder joined = null; // the open token when it is not one slice of s (a dropped format char inside)
    for (int i = 0; i < n; ) {
      int c = s.codePointAt(i), w = Character.charCount(c);
      int kind = kind(c);
      if (joinNext && kind != SPACE && kind != IGNORED) {   // emoji ZWJ sequences, ZWNJ inside Persian words
        joinNext = kind == JOINER;
        if (joined != null) joined.appendCodePoint(c);
        i += w;
        continue;
      }
      if (kind == MARK || kind == JOINER) {           // extends whatever token is open
        if (start >= 0 || joined != null) {
          i += w;
          if (joined != null) joined.appendCodePoint(c);
          joinNext = kind == JOINER;
          continue;
        }
        if (dropping || kind == JOINER) {
          i += w;
          continue;
        }
        kind = LETTER;                                // a mark with nothing before it starts a word
      }
      if (kind == IGNORED) {                          // dropped without ending the token
        if (start >= 0 && joined == null) joined = new StringBuilder(s.length() - start).append(s, start, i);
        i += w;
        continue;
      }
      if (word && (kind == LETTER || kind == DIGIT)) {
        if (joined != null) joined.appendCodePoint(c);
        i += w;
        continue;
      }
      if (word && kind == PUNCT && i + w < n) {       // apostrophe between word characters, or . , between digits
        int next = s.codePointAt(i + w), nk = kind(next);
        boolean inside = isApostrophe(c) ? (nk == LETTER || nk == DIGIT)
            : (c == '.' || c == ',') && nk == DIGIT && kind(s.codePointBefore(i)) == DIGIT;
        if (inside) {
          if (joined != null) joined.appendCodePoint(c).appendCodePoint(next);
          i += w + Character.charCount(next);
          continue;
        }
      }
      // c ends the open token
      flush(s, start, i, joined, out);
      joinNext = false;
      start = -1;
      joined = null;
      word = false;
      dropping = false;
      if (kind == SPACE) {
        i += w;
        continue;
      }
      if (kind == CJK) {
        start = i;
      } else if (kind == LETTER || kind == DIGIT) {
        start = i;
        word = true;
      } else if (keepPunctuation) {
        start = i;
      } else {
        dropping = true;
      }
      i += w;
    }
    flush(s, start, n, joined, out);
  }

  private static void flush(String s, int start, int end, StringBuilder joined, List<String> out) {
    if (joined != null) {
      if (!joined.isEmpty()) out.add(joined.toString());
    } else if (start >= 0) {
      out.add(s.substring(start, end));
    }
  }

  private static final int SPACE = 0, LETTER = 1, DIGIT = 2, MARK = 3, CJK = 4, HANGUL = 5, PUNCT = 6, IGNORED = 7,
      JOINER = 8;

  /** The character class of {@code c}, with Hangul counted as letters or as CJK by the option. */
  private int kind(int c) {
    int k = classOf(c);
    return k == HANGUL ? (hangulAsCharacters ? CJK : LETTER) : k;
  }

  private static int classOf(int c) {
    if (c < 0x80) {   // ASCII fast path
      if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return LETTER;
      if (c >= '0' && c <= '9') return DIGIT;
      return c <= ' ' || c == 0x7f ? SPACE : PUNCT;
    }
    switch (Character.getType(c)) {
      case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER, Character.MODIFIER_LETTER,
           Character.OTHER_LETTER, Character.LETTER_NUMBER -> {
        Character.UnicodeScript script = Character.UnicodeScript.of(c);
        if (script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.HIRAGANA
            || script == Character.UnicodeScript.KATAKANA || c == 0x30FC /* ー, script COMMON */) return CJK;
        if (script == Character.UnicodeScript.HANGUL) return HANGUL;
        return LETTER;
      }
      case Character.DECIMAL_DIGIT_NUMBER, Character.OTHER_NUMBER -> {
        return DIGIT;
      }
      case Character.NON_SPACING_MARK, Character.COMBINING_SPACING_MARK, Character.ENCLOSING_MARK -> {
        return MARK;
      }
      case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.CONTROL -> {
        return SPACE;
      }
      case Character.FORMAT -> {
        return c == 0x200C || c == 0x200D ? JOINER : IGNORED;
      }
      default -> {
        return PUNCT;
      }
    }
  }

  private static boolean isApostrophe(int c) {
    return c == '\'' || c == 0x2019;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Tokenizer(");
    String sep = "";
    if (!lowerCase) { b.append("lowerCase=false"); sep = ", "; }
    if (!keepPunctuation) { b.append(sep).append("punctuation=drop"); sep = ", "; }
    if (hangulAsCharacters) { b.append(sep).append("hangulAsCharacters=true"); sep = ", "; }
    if (form != Normalizer.Form.NFKC) b.append(sep).append("normalization=").append(form);
    return b.append(')').toString();
  }
}
