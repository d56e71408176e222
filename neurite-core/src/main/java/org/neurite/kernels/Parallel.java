package org.neurite.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * The one thread pool of Neurite. Every multi-threaded kernel splits its work with {@link #forRange};
 * nothing else in the library starts threads for computation.
 *
 * <p>Size: the machine's cores, overridden by the system property {@code neurite.threads}, by
 * {@link #setThreads(int)}, or by the CLI's {@code --threads}. The calling thread takes a share of the
 * work, so a pool of {@code t} threads keeps {@code t - 1} workers.
 *
 * <p>Parallel regions never nest: a {@code forRange} called from inside another one runs inline on the
 * calling thread. Two cores oversubscribed by nested pools run slower than one pool used well.
 *
 * <p>Thread-safe: {@link #forRange} may be called from any thread; call {@link #setThreads} only while no
 * kernel runs, as it shuts the old pool down.
 */
public final class Parallel {
  /** A share of a loop: the half-open range {@code [from, to)}. */
  @FunctionalInterface
  public interface RangeBody {
    void run(int from, int to);
  }

  private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);
  private static volatile int threads = initialThreads();
  private static volatile ForkJoinPool pool;

  private Parallel() {}

  private static int initialThreads() {
    String p = System.getProperty("neurite.threads");
    if (p != null && !p.isBlank()) {
      try {
        int n = Integer.parseInt(p.trim());
        if (n >= 1) return n;
      } catch (NumberFormatException ignored) {
        // fall through to the error below
      }
      throw new IllegalArgumentException("neurite.threads (" + p + ") must be an integer >= 1");
    }
    return Runtime.getRuntime().availableProcessors();
  }

  /** Threads used by kernels (the caller included). */
  public static int threads() {
    return threads;
  }

  /** Sets the number of threads kernels use, the caller included; 1 makes every kernel serial. */
  public static synchronized void setThreads(int n) {
    if (n < 1) throw new IllegalArgumentException("threads (" + n + ") must be >= 1");
    if (n == threads) return;
    threads = n;
    ForkJoinPool old = pool;
    pool = null;
    if (old != null) old.shutdown();
  }

  private static ForkJoinPool pool() {
    ForkJoinPool p = pool;
    if (p == null) {
      synchronized (Parallel.class) {
        p = pool;
        if (p == null) {
          int workers = Math.max(1, threads - 1);
          p = new ForkJoinPool(workers, fj -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(fj);
            t.setDaemon(true);
            t.setName("neurite-" + t.getPoolIndex());
            return t;
          }, null, false);
          pool = p;
        }
      }
    }
    return p;
  }

  /** True while the current thread runs a share of a parallel loop. */
  public static boolean inside() {
    return INSIDE.get();
  }

  /**
   * Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} contiguous shares of
   * at least {@code grain} items each. Returns when every share is done; the first exception thrown
   * by a share is rethrown.
   */
  public static void forRange(int n, int grain, RangeBody body) {
    if (n <= 0) return;
    int t = threads;
    int shares = Math.min(t, Math.max(1, n / Math.max(1, grain)));
    if (shares <= 1 || INSIDE.get()) {
      body.run(0, n);
      return;
    }
    ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[shares - 1];
    // Failures are caught where they happen: ForkJoinTask would rethrow a reflective copy instead.
    Throwable[] failures = new Throwable[shares];
    ForkJoinPool p = pool();
    for (int s = 1; s < shares; s++) {
      int share = s, from = (int) ((long) n * s / shares), to = (int) ((long) n * (s + 1) / shares);
      tasks[s - 1] = p.submit(() -> runInside(body, from, to, failures, share));
    }
    runInside(body, 0, (int) ((long) n / shares), failures, 0);
    for (ForkJoinTask<?> task : tasks) task.join();
    for (Throwable f : failures) {
      if (f instanceof RuntimeException re) throw re;
      if (f instanceof Error err) throw err;
      if (f != null) throw new IllegalStateException(f);
    }
  }

  private static void runInside(RangeBody body, int from, int to, Throwable[] failures, int share) {
    boolean was = INSIDE.get();
    INSIDE.set(true);
    try {
      body.run(from, to);
    } catch (Throwable e) {
      failures[share] = e;
    } finally {
      INSIDE.set(was);
    }
  }
}
