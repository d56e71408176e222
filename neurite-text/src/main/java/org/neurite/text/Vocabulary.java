package org.neurite.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.neurite.io.AtomicFiles;

/**
 * Token ids for a model's embedding layer: the special tokens first, then the tokens of a corpus
 * most frequent first, as torchtext's {@code build_vocab_from_iterator} and Keras'
 * {@code Tokenizer.word_index} number them. Not a tokenizer ({@link Tokenizer} makes the tokens)
 * and not word2vec's vocabulary (which keeps counts for sampling).
 *
 * <p>Specials: {@link #PAD} is always id 0 (padding and masks rely on it); {@link #UNK} is id 1 when
 * present (the default), and unknown tokens encode to it; without it they are skipped, as Keras'
 * {@code Tokenizer} without {@code oov_token} does. {@link #BOS} and {@link #EOS} follow when asked
 * for; {@link #encode} does not add them, {@link #encode(List, boolean)} does.
 *
 * <p>Building ({@link #builder()}): tokens seen fewer than {@code minCount} times are dropped, then
 * the most frequent are kept so that the whole vocabulary, specials included, has at most
 * {@code maxSize} entries (the embedding layer's row count). Equal counts are ordered by the token's
 * {@link String#compareTo} order, so the vocabulary does not depend on the order of the examples.
 * A corpus token spelled like a special (say {@code "<unk>"}) gets no id of its own: it encodes as the
 * special when that is present, else as any unknown token.
 *
 * <p>Files ({@link #save}, {@link #load}): UTF-8 text, one token per line in id order, specials
 * included; so a token may not be empty nor contain a line break.
 *
 * <p>Example:
 * <pre>{@code
 * Vocabulary v = Vocabulary.builder().minCount(2).maxSize(20_000).build(data.tokens());
 * int[] ids = v.encode(tokenizer.tokenize("a fine film"));
 * }</pre>
 * Immutable and thread-safe.
 */
public final class Vocabulary {
  public static final String PAD = "<pad>", UNK = "<unk>", BOS = "<bos>", EOS = "<eos>";
  private static final List<String> SPECIALS = List.of(PAD, UNK, BOS, EOS);

  private final String[] tokens;
  private final Map<String, Integer> ids;
  private final int unk, bos, eos, specials;

  private Vocabulary(List<String> tokens, String where) {
    this.tokens = tokens.toArray(new String[0]);
    this.ids = HashMap.newHashMap(tokens.size());
    if (tokens.isEmpty() || !PAD.equals(tokens.get(0)))
      throw new IllegalArgumentException(where + ": expected " + PAD + " as the first token (id 0), found "
          + (tokens.isEmpty() ? "no tokens" : "\"" + tokens.get(0) + "\""));
    int unk = -1, bos = -1, eos = -1, k = 1;
    for (int s = 1; s < SPECIALS.size() && k < tokens.size(); s++) {   // the specials present, in their fixed order
      if (!SPECIALS.get(s).equals(tokens.get(k))) continue;
      if (s == 1) unk = k;
      else if (s == 2) bos = k;
      else eos = k;
      k++;
    }
    this.unk = unk;
    this.bos = bos;
    this.eos = eos;
    this.specials = k;
    for (int i = 0; i < this.tokens.length; i++) {
      String t = this.tokens[i];
      if (t == null || t.isEmpty() || t.indexOf('\n') >= 0 || t.indexOf('\r') >= 0)
        throw new IllegalArgumentException(where + ": token " + i + " is " + (t == null ? "null" : t.isEmpty() ? "empty"
            : "\"" + t.replace("\n", "\\n").replace("\r", "\\r") + "\", with a line break") + "; expected a non-empty token on one line");
      if (i >= k && SPECIALS.contains(t))
        throw new IllegalArgumentException(where + ": special token " + t + " at id " + i + "; expected the specials first, in the order "
            + SPECIALS);
      Integer before = ids.putIfAbsent(t, i);
      if (before != null)
        throw new IllegalArgumentException(where + ": token \"" + t + "\" appears twice (ids " + before + " and " + i + ")");
    }
  }

  /** A vocabulary from its tokens in id order: {@link #PAD} first, then any of UNK, BOS, EOS in that order, then the rest. */
  public static Vocabulary of(List<String> tokens) {
    return new Vocabulary(tokens, "Vocabulary");
  }

  /** A builder: minCount 1, no size limit, specials PAD and UNK. */
  public static Builder builder() {
    return new Builder();
  }

  /** Number of tokens, specials included (the embedding layer's row count). */
  public int size() {
    return tokens.length;
  }

  /** Number of special tokens at the start (ids {@code 0..specials()-1}). */
  public int specials() {
    return specials;
  }

  /** The token with id {@code id}. */
  public String token(int id) {
    if (id < 0 || id >= tokens.length)
      throw new IndexOutOfBoundsException("Vocabulary: id " + id + " out of range [0, " + tokens.length + ")");
    return tokens[id];
  }

  /** The id of {@code token}, or -1 if it is not in the vocabulary. */
  public int indexOf(String token) {
    Integer i = ids.get(token);
    return i == null ? -1 : i;
  }

  /** Whether {@code token} has an id of its own. */
  public boolean contains(String token) {
    return ids.containsKey(token);
  }

  /** The id of {@code token}: its own, else {@link #unk()} (-1 in a vocabulary without UNK). */
  public int id(String token) {
    Integer i = ids.get(token);
    return i == null ? unk : i;
  }

  /** Id of {@link #PAD}: 0. */
  public int pad() {
    return 0;
  }

  /** Id of {@link #UNK}, or -1 if absent. */
  public int unk() {
    return unk;
  }

  /** Id of {@link #BOS}, or -1 if absent. */
  public int bos() {
    return bos;
  }

  /** Id of {@link #EOS}, or -1 if absent. */
  public int eos() {
    return eos;
  }

  /** All tokens in id order. */
  public List<String> tokens() {
    return List.of(tokens);
  }

  /** The ids of {@code tokens}; unknown tokens become UNK, or are skipped when there is no UNK. */
  public int[] encode(List<String> tokens) {
    return encode(tokens, false);
  }

  /** As {@link #encode(List)}, with BOS first and EOS last when {@code boundaries} is on and they are present. */
  public int[] encode(List<String> tokens, boolean boundaries) {
    boolean b = boundaries && bos >= 0, e = boundaries && eos >= 0;
    int[] out = new int[tokens.size() + (b ? 1 : 0) + (e ? 1 : 0)];
    int n = 0;
    if (b) out[n++] = bos;
    for (String t : tokens) {
      int id = id(t);
      if (id >= 0) out[n++] = id;
    }
    if (e) out[n++] = eos;
    return n == out.length ? out : java.util.Arrays.copyOf(out, n);
  }

  /** The tokens of {@code ids}, PAD skipped. An id out of range is an error. */
  public List<String> decode(int[] ids) {
    List<String> out = new ArrayList<>(ids.length);
    for (int id : ids) if (id != 0) out.add(token(id));
    return out;
  }

  /** Writes one token per line (UTF-8, id order) atomically: a temp file, then a rename. */
  public void save(Path file) throws IOException {
    StringBuilder b = new StringBuilder(tokens.length * 8);
    for (String t : tokens) b.append(t).append('\n');
    AtomicFiles.write(file, b.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Reads a file written by {@link #save}. An empty or malformed file is an {@link IOException} naming the line. */
  public static Vocabulary load(Path file) throws IOException {
    List<String> lines = TextFiles.readLines(file);
    if (lines.isEmpty())
      throw new IOException(file + ": expected a vocabulary (one token per line, " + PAD + " first), found an empty file");
    for (int i = 0; i < lines.size(); i++)
      if (lines.get(i).isEmpty())
        throw new IOException(file + ":" + (i + 1) + ": expected a token, found an empty line; the file is not a saved vocabulary");
    try {
      return new Vocabulary(lines, file.toString());
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage() + " (a corrupt or foreign vocabulary file?)", e);
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "Vocabulary(%,d tokens, specials %s)", tokens.length, List.of(tokens).subList(0, specials));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Vocabulary v && java.util.Arrays.equals(tokens, v.tokens);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(tokens);
  }

  /** Counts tokens, then {@link #build()}s. Not thread-safe. */
  public static final class Builder {
    private final Map<String, long[]> counts = new HashMap<>();
    private int minCount = 1, maxSize = 0;
    private boolean unk = true, bos, eos;

    private Builder() {}

    /** Drop tokens seen fewer times (default 1: keep all). */
    public Builder minCount(int n) {
      if (n < 1) throw new IllegalArgumentException("Vocabulary: minCount (" + n + ") must be >= 1");
      minCount = n;
      return this;
    }

    /** At most this many entries, specials included; 0 (the default) for no limit. */
    public Builder maxSize(int n) {
      if (n < 0) throw new IllegalArgumentException("Vocabulary: maxSize (" + n + ") must be >= 0 (0: no limit)");
      maxSize = n;
      return this;
    }

    /** Whether UNK is present (default true); without it unknown tokens are skipped by {@link #encode}. */
    public Builder unk(boolean on) {
      unk = on;
      return this;
    }

    /** Whether BOS (begin of sequence) is present (default false). */
    public Builder bos(boolean on) {
      bos = on;
      return this;
    }

    /** Whether EOS (end of sequence) is present (default false). */
    public Builder eos(boolean on) {
      eos = on;
      return this;
    }

    /** Counts one sequence's tokens. */
    public Builder add(Collection<String> tokens) {
      for (String t : tokens) {
        long[] c = counts.get(t);
        if (c == null) {
          if (t == null || t.isEmpty() || t.indexOf('\n') >= 0 || t.indexOf('\r') >= 0)
            throw new IllegalArgumentException("Vocabulary: token " + (t == null ? "null" : "\"" + t.replace("\n", "\\n")
                .replace("\r", "\\r") + "\"") + " cannot be stored; expected a non-empty token without line breaks");
          counts.put(t, c = new long[1]);
        }
        c[0]++;
      }
      return this;
    }

    /** Counts every sequence's tokens. */
    public Builder addAll(Iterable<? extends Collection<String>> sequences) {
      for (Collection<String> s : sequences) add(s);
      return this;
    }

    /** Counts {@code sequences}, then builds. */
    public Vocabulary build(Iterable<? extends Collection<String>> sequences) {
      return addAll(sequences).build();
    }

    /** The vocabulary of everything counted so far. */
    public Vocabulary build() {
      List<String> out = new ArrayList<>();
      out.add(PAD);
      if (unk) out.add(UNK);
      if (bos) out.add(BOS);
      if (eos) out.add(EOS);
      if (maxSize > 0 && maxSize < out.size())
        throw new IllegalArgumentException("Vocabulary: maxSize (" + maxSize + ") must be >= the " + out.size()
            + " special tokens " + out + " (0: no limit)");
      List<Map.Entry<String, long[]>> kept = new ArrayList<>();
      for (Map.Entry<String, long[]> e : counts.entrySet())
        if (e.getValue()[0] >= minCount && !out.contains(e.getKey()) && !SPECIALS.contains(e.getKey())) kept.add(e);
      kept.sort((a, b) -> {
        int c = Long.compare(b.getValue()[0], a.getValue()[0]);
        return c != 0 ? c : a.getKey().compareTo(b.getKey());
      });
      int limit = maxSize == 0 ? kept.size() : Math.min(kept.size(), maxSize - out.size());
      for (int i = 0; i < limit; i++) out.add(kept.get(i).getKey());
      return new Vocabulary(out, "Vocabulary");
    }
  }
}
