package org.neurite.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared pool: every index covered once, nesting runs inline, failures propagate, size is settable. */
class ParallelTest {
  private final int before = Parallel.threads();

  @AfterEach
  void restore() {
    Parallel.setThreads(before);
  }

  @Test
  void coversEveryIndexExactlyOnce() {
    for (int threads : new int[] {1, 2, 3}) {
      Parallel.setThreads(threads);
      for (int n : new int[] {0, 1, 2, 5, 1000}) {
        int[] hits = new int[n];
        Parallel.forRange(n, 1, (from, to) -> {
          for (int i = from; i < to; i++) hits[i]++;
        });
        for (int i = 0; i < n; i++) assertEquals(1, hits[i], "index " + i + " with " + threads + " threads");
      }
    }
  }

  @Test
  void nestedRegionsRunInlineOnTheCallingThread() {
    Parallel.setThreads(2);
    var outerThreads = ConcurrentHashMap.<Thread>newKeySet();
    AtomicInteger nestedOnOtherThread = new AtomicInteger();
    Parallel.forRange(2, 1, (f, t) -> {
      Thread me = Thread.currentThread();
      outerThreads.add(me);
      assertTrue(Parallel.inside());
      Parallel.forRange(100, 1, (f2, t2) -> {
        if (Thread.currentThread() != me) nestedOnOtherThread.incrementAndGet();
      });
    });
    assertEquals(0, nestedOnOtherThread.get());
    assertEquals(2, outerThreads.size(), "two shares should run on two threads");
  }

  @Test
  void grainLimitsTheNumberOfShares() {
    Parallel.setThreads(2);
    AtomicInteger shares = new AtomicInteger();
    Parallel.forRange(10, 100, (f, t) -> shares.incrementAndGet());
    assertEquals(1, shares.get());
  }

  @Test
  void exceptionsFromWorkersReachTheCaller() {
    Parallel.setThreads(2);
    var e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(10, 1, (f, t) -> {
      if (f > 0) throw new IllegalStateException("boom in share " + f);
    }));
    assertTrue(e.getMessage().startsWith("boom in share"));
  }

  @Test
  void rejectsNonPositiveThreadCounts() {
    var e = assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
    assertEquals("threads (0) must be >= 1", e.getMessage());
  }
}
