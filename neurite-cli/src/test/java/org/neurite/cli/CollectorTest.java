package org.neurite.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Collector}: when a command restarts itself on G1, and with which command line. */
class CollectorTest {
  private static final long LARGE = Collector.LARGE_BATCH_BYTES, SMALL = LARGE - 1;

  @Test
  void restartsOnlyLargeBatchesOfTheTypedCommandUnderTheLaunchersCollector() {
    String[] train = {"--threads", "2", "train", "image", "--size", "224x224"};
    assertTrue(Collector.shouldRestart(train, "train", LARGE, "auto"));
    assertFalse(Collector.shouldRestart(train, "train", SMALL, "auto"), "small batches stay on ParallelGC");
    assertFalse(Collector.shouldRestart(train, "train", LARGE, "named"), "a collector named in NEURITE_JAVA_OPTS stays");
    assertFalse(Collector.shouldRestart(train, "train", LARGE, "g1"), "the restarted process does not restart again");
    assertFalse(Collector.shouldRestart(train, "train", LARGE, null), "started without the launcher");
    assertFalse(Collector.shouldRestart(null, "train", LARGE, "auto"), "embedded or in tests: no command line");
    assertFalse(Collector.shouldRestart(new String[] {"demo"}, "finetune", LARGE, "auto"), "a step of the demo");
    assertTrue(Collector.shouldRestart(new String[] {"--debug", "bench", "cnn", "--config", "C"}, "bench", LARGE, "auto"));
  }

  @Test
  void restartKeepsTheOptionsButTheCollectorAndYoungGeneration() {
    List<String> cmd = Collector.restartCommand("/jdk/bin/java",
        List.of("--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmn512m", "-XX:SurvivorRatio=1",
            "-XX:-UseAdaptiveSizePolicy", "-XX:MaxRAMPercentage=75"),
        "/n/neurite-cli.jar", new String[] {"bench", "cnn", "--config", "C"});
    assertEquals(List.of("/jdk/bin/java", "--add-modules=jdk.incubator.vector", "-XX:MaxRAMPercentage=75", "-XX:+UseG1GC",
        "-jar", "/n/neurite-cli.jar", "bench", "cnn", "--config", "C"), cmd);
  }

  @Test
  void theWaitingProcessPassesOnTheRestartedOnesExitStatus() throws Exception {
    assertEquals(3, Collector.runInPlace(List.of("sh", "-c", "exit 3"), java.util.Map.of()));
    assertEquals(0, Collector.runInPlace(List.of("sh", "-c", "test \"$NEURITE_GC\" = g1"), java.util.Map.of("NEURITE_GC", "g1")),
        "the restarted process sees NEURITE_GC=g1 and does not restart again");
  }

  /** A waiting process terminated (SIGTERM) takes the restarted one down with it. */
  @Test
  void terminatingTheWaitingProcessEndsTheRestartedOne() throws Exception {
    try (var parent = org.neurite.testing.ChildJvm.start(CollectorTest.class)) {
      long pid = Long.parseLong(parent.await("child ", 30).substring(6).trim());
      assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the restarted process runs");
      parent.terminate();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) Thread.sleep(50);
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "process " + pid + " outlived its parent");
    }
  }

  /** The parent of the test above: "restarts" into a shell that prints its pid and sleeps. */
  public static void main(String[] args) throws Exception {
    System.exit(Collector.runInPlace(List.of("sh", "-c", "echo child $$; exec sleep 60"), java.util.Map.of()));
  }
}
