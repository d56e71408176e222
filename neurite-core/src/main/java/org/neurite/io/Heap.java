package org.neurite.io;

import java.util.Locale;

/**
 * Fails early and clearly when something will not fit in the Java heap: readers call {@link #require}
 * with the bytes they are about to allocate (from a header's declared sizes, already checked against
 * the file's size), and {@code fit} calls it with its estimate of weights, gradients, optimizer state
 * and activations. The error gives the estimate and the {@code -Xmx} to use, instead of an
 * {@link OutOfMemoryError} half-way through. Not an allocator and not a limit of its own: it only
 * compares with what the JVM says it can still give.
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class Heap {
  private Heap() {}

  /** Thrown when an allocation would not fit; a {@link IllegalStateException} so callers need not declare it. */
  public static final class TooLargeException extends IllegalStateException {
    /** The estimate, in bytes. */
    private final long needed;

    TooLargeException(String message, long needed) {
      super(message);
      this.needed = needed;
    }

    /**
     * The estimate, in bytes.
     *
     * @return the estimate, in bytes
     */
    public long needed() {
      return needed;
    }
  }

  /**
   * Bytes the heap can still give: its maximum minus what is in use.
   *
   * @return the bytes
   */
  public static long available() {
    Runtime r = Runtime.getRuntime();
    return r.maxMemory() - (r.totalMemory() - r.freeMemory());
  }

  /**
   * Throws {@link TooLargeException} unless {@code bytes} fit in the heap (after one garbage
   * collection if they do not at first). {@code what} starts the message, e.g. "load model.safetensors".
   *
   * @param what the start of the message
   * @param bytes the bytes about to be allocated (negative: an overflowed estimate, too many)
   * @throws TooLargeException if they do not fit; the message gives the {@code -Xmx} to use
   */
  public static void require(String what, long bytes) {
    if (bytes < 0) bytes = Long.MAX_VALUE;   // an overflowed estimate is "too much"
    if (bytes <= available()) return;
    System.gc();
    long free = available();
    if (bytes <= free) return;
    long max = Runtime.getRuntime().maxMemory();
    // Suggest room for what is in use now plus the request, with a quarter to spare, in whole GiB.
    String suggest = bytes > (1L << 50) ? "it cannot fit in any heap; check the sizes" : runWith(max - free + bytes);
    throw new TooLargeException(what + ": needs about " + mib(bytes) + " of heap, " + mib(free) + " is free of "
        + mib(max) + " (-Xmx); " + suggest, bytes);
  }

  /**
   * As {@link #require}, for one array of {@code bytes}: it must also fit where the collector puts
   * arrays too large for the young generation. Under the launcher's ParallelGC with a 512 MiB young
   * generation and -Xmx1g, the heap has 900 MiB free but no single array of 600 MiB fits, and an
   * {@link OutOfMemoryError} would follow the approval.
   */
  public static void requireArray(String what, long bytes) {
    require(what, bytes);
    long room = oldGenerationRoom();
    if (bytes <= room) return;
    System.gc();
    room = oldGenerationRoom();
    if (bytes <= room) return;
    long max = Runtime.getRuntime().maxMemory();
    throw new TooLargeException(what + ": needs one array of " + mib(bytes) + ", and the old generation has room for "
        + mib(room) + " (-Xmx " + mib(max) + "); " + runWith(max - room + bytes), bytes);
  }

  /** "run with -Xmx3g (...)": room for {@code needed} bytes with a quarter to spare, in whole GiB. */
  private static String runWith(long needed) {
    long gib = Math.max(1, (long) Math.ceil(needed * 1.25 / (1L << 30)));
    return "run with -Xmx" + gib + "g (./neurite: NEURITE_JAVA_OPTS=-Xmx" + gib + "g)";
  }

  /** Free bytes of the tenured pool (where large arrays go), or of the whole heap when it cannot be told. */
  private static long oldGenerationRoom() {
    for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() != java.lang.management.MemoryType.HEAP) continue;
      String n = pool.getName();
      if (!(n.contains("Old Gen") || n.contains("Tenured"))) continue;
      var u = pool.getUsage();
      if (u == null || u.getMax() < 0) break;
      return u.getMax() - u.getUsed();
    }
    return available();
  }

  /**
   * {@code 12.3 MiB}, locale-independent.
   *
   * @param bytes a size
   * @return it in MiB with one decimal
   */
  public static String mib(long bytes) {
    if (bytes == Long.MAX_VALUE) return "more than 8 EiB";
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
  }
}
