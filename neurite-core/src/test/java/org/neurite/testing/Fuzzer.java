package org.neurite.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A small mutation fuzzer for Neurite's parsers of outside data, run by JUnit inside {@code mvn test}.
 * Part of neurite-core's test-jar, so vision and text use it too.
 *
 * <p>What it does: first replays every seed (real files, cut down) and every saved regression input
 * of the target; then, until the time budget is spent, takes an input from the corpus, stacks 1 to 8
 * AFL-style mutations on it (bit flips, interesting 8/16/32/64-bit values in both byte orders at
 * random offsets, which is what header fields are; chunk deletion, duplication and insertion,
 * truncation, splicing with another corpus entry, digit-run rewrites and dictionary tokens for the
 * text formats) and runs the target. An input is kept in the corpus when it ends in an outcome not
 * seen before: a new exception class thrown from a new place in Neurite's code (the top frames of
 * its stack), or success with a new output shape. That outcome signature stands in for coverage, so
 * the corpus walks past one header check after another; a success's signature is the shape of what
 * was read ({@link #describe}), so inputs that parse into something new are kept and mutated too.
 * Inputs grow up to {@link #MAX_INPUT} (256 KiB), and one mutation repeats a chunk up to 4,096 times,
 * which is how padded and compressed bombs look. It is not coverage-guided in Jazzer's sense
 * (no bytecode instrumentation): Jazzer 0.24 runs on JDK 25 but cannot instrument the JDK's classes
 * (class file version 69), adds 9 s and thousands of log lines per test JVM, and fuzzes one target
 * per JVM; see docs/RELIABILITY.md.
 *
 * <p>The contract checked: a parser given any bytes returns, or throws an {@link IOException} with a
 * one-line message, or {@code org.neurite.io.Heap.TooLargeException} (a declared size that does not
 * fit the heap). Anything else (NullPointerException, ArrayIndexOutOfBounds, NegativeArraySize,
 * NumberFormatException, OutOfMemoryError, StackOverflowError, ...) is a finding: the input is written
 * to {@code target/fuzz-findings/TARGET/crash-SHA1} and the test fails with the stack trace and the
 * input in base64. A finding, once fixed, goes into {@code src/test/resources/.../fuzz/TARGET/regressions/}
 * so that every later run replays it. A single input that takes over 5 s is a finding too (hang).
 *
 * <p>Budget: {@code -Dneurite.fuzz.seconds=N} per target (default 2, what CI runs), {@code
 * -Dneurite.fuzz.seed=S} to replay a run (default: a fixed seed per target; {@code random} for a new one). Each target prints one line: executions, corpus, findings.
 */
public final class Fuzzer {
  private Fuzzer() {}

  /** A parser under test; it returns what it read, whose shape tells one success from another. */
  @FunctionalInterface
  public interface Target {
    Object run(byte[] data) throws Exception;
  }

  /** What one target's run did. */
  public record Stats(String target, long executions, int corpus, double seconds, int findings) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "fuzz %-22s %,10d executions in %5.1f s (%,7.0f/s), corpus %4d, findings %d", target,
          executions, seconds, executions / Math.max(1e-9, seconds), corpus, findings);
    }
  }

  private static final byte[][] INTERESTING = {
      {0}, {1}, {-1}, {0x7f}, {(byte) 0x80}, {16}, {32}, {64}, {100},
      le(0), le(1), le(-1), le(Integer.MAX_VALUE), le(Integer.MIN_VALUE), le(0x7fff), le(0x8000), le(0xffff), le(0x10000),
      le(1 << 24), le(1 << 30), le(-2), le(2051), le(2049), le(3072), le(3073),
      be(-1), be(Integer.MAX_VALUE), be(Integer.MIN_VALUE), be(0x0803), be(0x0801), be(1 << 16), be(1 << 24), be(0), be(1),
      lel(Long.MAX_VALUE), lel(Long.MIN_VALUE), lel(-1L), lel(1L << 32), lel(1L << 40), lel(0)};
  private static final String[] TEXT_TOKENS = {
      "-1", "0", "1", "2147483647", "2147483648", "-2147483648", "9223372036854775807", "99999999999999999999", "1e309",
      "-1e309", "NaN", "Infinity", "-0", "0x10", "1.5", " ", "  ", "\t", "\n", "\r\n", ",", ":", "[", "]", "{", "}", "\"",
      "\\", "null", "true", "\u00e9", "\u65e5", "\u0000", "\uFEFF", ": ", "#"};

  /**
   * A scratch file for a target's input, in /dev/shm where there is one (a write and read there take
   * about 20 us here, against 200 us on the disk), deleted when the JVM exits.
   */
  public static Path scratch(String name) {
    try {
      Path shm = Path.of("/dev/shm");
      Path dir = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "neurite-fuzz-")
          : Files.createTempDirectory("neurite-fuzz-");
      dir.toFile().deleteOnExit();
      Path f = dir.resolve(name);
      f.toFile().deleteOnExit();
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The seeds of a target: every file under {@code dir} and {@code dir/regressions} (a class-path folder). */
  public static List<byte[]> seeds(Class<?> anchor, String dir) {
    var url = anchor.getResource(dir);
    if (url == null) throw new IllegalStateException("no fuzz seeds at " + dir + " beside " + anchor.getName());
    try (Stream<Path> s = Files.walk(Path.of(url.toURI()))) {
      List<Path> files = s.filter(Files::isRegularFile).sorted().toList();
      List<byte[]> out = new ArrayList<>();
      for (Path f : files) out.add(Files.readAllBytes(f));
      if (out.isEmpty()) throw new IllegalStateException("no fuzz seeds in " + dir);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Replays the seeds, then fuzzes for the budget; fails the test on a finding. */
  public static Stats run(String name, List<byte[]> seeds, Target target, String... dictionary) {
    double seconds = Double.parseDouble(System.getProperty("neurite.fuzz.seconds", "2"));
    // A fixed sequence per target by default, so a red CI run always reproduces; "random" explores anew.
    String given = System.getProperty("neurite.fuzz.seed");
    long seed = given == null ? name.hashCode() : given.equals("random") ? System.nanoTime() : Long.parseLong(given);
    int maxLen = 0;
    for (byte[] s : seeds) maxLen = Math.max(maxLen, s.length);
    // Large enough for a bomb to be reachable: repeated chunks and big declared sizes need room.
    maxLen = Math.max(MAX_INPUT, 2 * maxLen);
    List<byte[]> corpus = new ArrayList<>();
    Set<String> outcomes = new HashSet<>();
    byte[][] dict = new byte[dictionary.length + TEXT_TOKENS.length][];
    for (int i = 0; i < dictionary.length; i++) dict[i] = dictionary[i].getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < TEXT_TOKENS.length; i++) dict[dictionary.length + i] = TEXT_TOKENS[i].getBytes(StandardCharsets.UTF_8);
    long executions = 0;
    long start = System.nanoTime();
    for (byte[] s : seeds) {
      String o = execute(name, target, s, seed);
      executions++;
      if (outcomes.add(o)) corpus.add(s);
      else if (corpus.isEmpty()) corpus.add(s);
    }
    if (corpus.isEmpty()) corpus.addAll(seeds);
    SplittableRandom rnd = new SplittableRandom(seed);
    long deadline = start + (long) (seconds * 1e9);
    while (System.nanoTime() < deadline) {
      byte[] input = mutate(corpus.get(rnd.nextInt(corpus.size())), corpus, dict, rnd, maxLen);
      String o = execute(name, target, input, seed);
      executions++;
      if (outcomes.add(o)) corpus.add(input);
    }
    Stats st = new Stats(name, executions, corpus.size(), (System.nanoTime() - start) / 1e9, 0);
    System.out.println(st);
    record(st);
    return st;
  }

  /** The default cap on a mutated input's length. */
  static final int MAX_INPUT = 256 << 10;

  /**
   * A success's signature: the shapes of what was read (a tensor's shape, a map's keys and their
   * shapes, a list's size), so that a mutation which parses into something new joins the corpus and is
   * mutated further, as an exception from a new place does.
   */
  static String describe(Object r) {
    StringBuilder b = new StringBuilder();
    describe(r, b, 0);
    return b.length() > 200 ? b.substring(0, 200) : b.toString();
  }

  private static void describe(Object r, StringBuilder b, int depth) {
    if (r == null || depth > 3 || b.length() > 200) return;
    switch (r) {
      case org.neurite.tensor.Tensor t -> b.append(org.neurite.tensor.Shape.str(t.shape()));
      case java.util.Map<?, ?> m -> {
        b.append('{').append(m.size()).append(':');
        int k = 0;
        for (var e : m.entrySet()) {
          if (k++ == 8) break;
          describe(e.getValue(), b, depth + 1);
          b.append(',');
        }
        b.append('}');
      }
      case java.util.Collection<?> c -> b.append('[').append(Integer.toBinaryString(c.size()).length()).append(']');   // size's order of magnitude
      case Object[] a -> b.append('[').append(Integer.toBinaryString(a.length).length()).append(']');
      case org.neurite.nn.Module m -> b.append(m.getClass().getSimpleName()).append(m.namedParameters().size());
      default -> b.append(r.getClass().getSimpleName());
    }
  }

  // Runs one input; returns its outcome signature, or fails the test on a finding.
  private static String execute(String name, Target target, byte[] input, long seed) {
    long t0 = System.nanoTime();
    Throwable thrown = null;
    Object result = null;
    try {
      result = target.run(input);
    } catch (Throwable e) {
      thrown = e;
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    if (thrown == null) {
      if (ms > 5000) finding(name, input, seed, new AssertionError("one input took " + ms + " ms (hang)"));
      return "ok|" + describe(result);
    }
    boolean expected = thrown instanceof IOException || thrown.getClass().getName().equals("org.neurite.io.Heap$TooLargeException");
    if (!expected) finding(name, input, seed, thrown);
    String m = thrown.getMessage();
    if (m == null || m.isBlank() || m.contains("\n"))
      finding(name, input, seed, new AssertionError("an expected " + thrown.getClass().getSimpleName()
          + " must carry a one-line message, got: " + m, thrown));
    if (ms > 5000) finding(name, input, seed, new AssertionError("one input took " + ms + " ms (hang)", thrown));
    StringBuilder sig = new StringBuilder(thrown.getClass().getSimpleName());
    int frames = 0;
    for (StackTraceElement f : thrown.getStackTrace()) {
      if (!f.getClassName().startsWith("org.neurite.") || f.getClassName().startsWith("org.neurite.testing.")) continue;
      sig.append('|').append(f.getClassName()).append(':').append(f.getLineNumber());
      if (++frames == 3) break;
    }
    return sig.toString();
  }

  private static void finding(String name, byte[] input, long seed, Throwable e) {
    String sha;
    try {
      sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(input));
      Path dir = Path.of("target", "fuzz-findings", name);
      Files.createDirectories(dir);
      Files.write(dir.resolve("crash-" + sha), input);
    } catch (Exception io) {
      sha = "(not saved: " + io + ")";
    }
    String b64 = input.length <= 4096 ? Base64.getEncoder().encodeToString(input) : "(" + input.length + " bytes, see the file)";
    fail("fuzz " + name + ": finding " + e + " on input target/fuzz-findings/" + name + "/crash-" + sha + " (seed " + seed
        + "); base64: " + b64, e);
  }

  private static byte[] mutate(byte[] base, List<byte[]> corpus, byte[][] dict, SplittableRandom r, int maxLen) {
    byte[] b = base.clone();
    int n = 1 + r.nextInt(8);
    for (int k = 0; k < n; k++) {
      int len = b.length;
      switch (r.nextInt(13)) {
        case 0 -> { if (len > 0) { int i = r.nextInt(len); b[i] ^= (byte) (1 << r.nextInt(8)); } }
        case 1 -> { if (len > 0) b[r.nextInt(len)] = (byte) r.nextInt(256); }
        case 2, 3 -> {   // an interesting value over a header-like position (most of them early in the file)
          byte[] v = INTERESTING[r.nextInt(INTERESTING.length)];
          if (len >= v.length) {
            int at = r.nextBoolean() ? r.nextInt(Math.min(len - v.length, 64) + 1) : r.nextInt(len - v.length + 1);
            System.arraycopy(v, 0, b, at, v.length);
          }
        }
        case 4 -> { if (len > 1) { int from = r.nextInt(len), cut = 1 + r.nextInt(Math.min(len - from, 64)); b = splice(b, from, cut, new byte[0]); } }
        case 5 -> { if (len > 0 && len < maxLen) { int from = r.nextInt(len), l = 1 + r.nextInt(Math.min(len - from, 64)); b = splice(b, from, 0, java.util.Arrays.copyOfRange(b, from, from + l)); } }
        case 6 -> { if (len < maxLen) { byte[] ins = new byte[1 + r.nextInt(16)]; r.nextBytes(ins); b = splice(b, r.nextInt(len + 1), 0, ins); } }
        case 7 -> { if (len > 0) b = java.util.Arrays.copyOf(b, r.nextInt(len)); }
        case 8 -> {   // splice with another corpus entry
          byte[] o = corpus.get(r.nextInt(corpus.size()));
          if (len > 0 && o.length > 0) {
            int at = r.nextInt(len), from = r.nextInt(o.length);
            byte[] tail = java.util.Arrays.copyOfRange(o, from, Math.min(o.length, from + Math.max(1, maxLen - at)));
            b = splice(b, at, len - at, tail);
          }
        }
        case 9 -> {   // rewrite a run of ASCII digits (counts and sizes in text headers)
          if (len > 0) {
            int i = r.nextInt(len), tries = 0;
            while (tries++ < len && !(b[i] >= '0' && b[i] <= '9')) i = (i + 1) % len;
            if (b[i] >= '0' && b[i] <= '9') {
              int j = i;
              while (j < len && b[j] >= '0' && b[j] <= '9') j++;
              byte[] rep = TEXT_TOKENS[r.nextInt(10)].getBytes(StandardCharsets.US_ASCII);
              b = splice(b, i, j - i, rep);
            }
          }
        }
        case 10 -> { if (len < maxLen) { byte[] t = dict[r.nextInt(dict.length)]; b = splice(b, r.nextInt(len + 1), r.nextInt(3) == 0 && len > 0 ? r.nextInt(Math.min(8, len - 0) + 1) : 0, t); } }
        case 11 -> {   // a chunk repeated many times: what compressed and padded bombs are made of
          if (len > 0 && len < maxLen) {
            int from = r.nextInt(len), l = 1 + r.nextInt(Math.min(len - from, 256)), times = 1 << r.nextInt(12);
            byte[] rep = new byte[Math.min(maxLen - len, l * times)];
            for (int i = 0; i < rep.length; i++) rep[i] = b[from + i % l];
            b = splice(b, from, 0, rep);
          }
        }
        default -> { if (len > 1) { int i = r.nextInt(len), j = r.nextInt(len); byte t = b[i]; b[i] = b[j]; b[j] = t; } }
      }
      if (b.length > maxLen) b = java.util.Arrays.copyOf(b, maxLen);
    }
    return b;
  }

  private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
    remove = Math.min(remove, b.length - at);
    byte[] out = new byte[b.length - remove + insert.length];
    System.arraycopy(b, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
    return out;
  }

  private static void record(Stats st) {
    try {
      Path f = Path.of("target", "fuzz-stats.tsv");
      Files.createDirectories(f.getParent());
      Files.writeString(f, st.target() + "\t" + st.executions() + "\t" + st.corpus() + "\t"
          + String.format(Locale.ROOT, "%.1f", st.seconds()) + "\n", StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException ignored) {
      // statistics are a convenience
    }
  }

  private static byte[] le(int v) {
    return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
  }

  private static byte[] be(int v) {
    return new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
  }

  private static byte[] lel(long v) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) b[i] = (byte) (v >> (8 * i));
    return b;
  }
}
