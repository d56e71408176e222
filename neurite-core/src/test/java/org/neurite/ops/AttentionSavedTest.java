package org.neurite.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Attention's saved probabilities go back to the pool once, even when two backward passes through one
 * graph release them at the same moment. With the old check-then-set of a volatile flag both calls
 * could pass the check, and the pool then lent one array to two later ops (this test counted two
 * hand-backs for some of the objects before the compare-and-set).
 */
class AttentionSavedTest {
  @Test
  void twoThreadsReleasingTogetherHandBackOnce() throws Exception {
    int rounds = 100_000;
    Attention.Saved[] saved = new Attention.Saved[rounds];
    for (int i = 0; i < rounds; i++) saved[i] = new Attention.Saved(4, p -> {});
    AtomicInteger handedBack = new AtomicInteger();
    CyclicBarrier start = new CyclicBarrier(2);
    Runnable hammer = () -> {
      try {
        start.await();
        for (Attention.Saved s : saved) if (s.release()) handedBack.incrementAndGet();
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    };
    Thread a = new Thread(hammer), b = new Thread(hammer);
    a.start();
    b.start();
    a.join();
    b.join();
    assertEquals(rounds, handedBack.get(), "each Saved is handed back exactly once");
  }
}
