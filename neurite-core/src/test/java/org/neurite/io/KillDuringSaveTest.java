package org.neurite.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.nn.Dense;
import org.neurite.nn.Seeds;
import org.neurite.nn.Sequential;
import org.neurite.optim.Adam;
import org.neurite.tensor.Tensor;
import org.neurite.testing.ChildJvm;

/**
 * Safe saves: a child JVM saves a model directory, a checkpoint and a single safetensors file over and
 * over, alternating two versions, and is killed with kill -9 at random moments. After every kill each
 * of the three still loads, and holds exactly one of the two versions (never a mix, never a
 * half-written file). Several rounds, about 15 s in all.
 */
class KillDuringSaveTest {
  @TempDir
  Path dir;

  /** Version {@code v} (0 or 1) of the model the child saves: 1.3M parameters, about 5 MB on disk. */
  static Sequential version(int v) {
    Seeds.set(100 + v);
    return Sequential.of(new Dense(640).relu(), new Dense(640).relu(), new Dense(640), new Dense(10)).input(640);
  }

  /** The child: saves both versions in turn, forever, printing "saving" once the first pair is on disk. */
  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    Sequential[] models = {version(0), version(1)};
    Adam[] opts = {new Adam(1e-3f), new Adam(1e-3f)};
    for (int v = 0; v < 2; v++) opts[v].attach(models[v].parameters());
    for (long i = 0; ; i++) {
      int v = (int) (i % 2);
      ModelFiles.save(models[v], root.resolve("model"));
      Checkpoints.save(root.resolve("checkpoint"), models[v], opts[v], v);
      SafeTensors.write(root.resolve("weights.safetensors"), models[v].stateDict());
      if (i == 1) System.out.println("saving");
    }
  }

  @Test
  void killedSaveLeavesTheOldOrTheNewFileLoadable() throws Exception {
    Map<String, Tensor> v0 = version(0).stateDict(), v1 = version(1).stateDict();
    Random random = new Random(42);
    int rounds = 6, sawOld = 0, sawNew = 0, swapsCut = 0, tempsLeft = 0;
    long start = System.nanoTime();
    for (int r = 0; r < rounds && System.nanoTime() - start < 20e9; r++) {
      try (ChildJvm child = ChildJvm.start(KillDuringSaveTest.class, dir.toString())) {
        child.await("saving", 30);
        Thread.sleep(random.nextInt(400));
        child.kill();
      }
      if (!Files.exists(dir.resolve("model")) || !Files.exists(dir.resolve("checkpoint"))) swapsCut++;   // killed between the two renames
      try (var s = Files.list(dir)) {
        tempsLeft += (int) s.filter(p -> p.getFileName().toString().startsWith(".")).count();
      }
      int a = check(ModelFiles.load(dir.resolve("model")).stateDict(), v0, v1, "model");
      int b = check(Checkpoints.load(dir.resolve("checkpoint"), new Adam(1e-3f)).model().stateDict(), v0, v1, "checkpoint");
      int c = check(SafeTensors.read(dir.resolve("weights.safetensors")), v0, v1, "weights.safetensors");
      sawOld += (a == 0 ? 1 : 0) + (b == 0 ? 1 : 0) + (c == 0 ? 1 : 0);
      sawNew += a + b + c;
    }
    System.out.println("kill-during-save: " + (sawOld + sawNew) + " files checked after kills, version 0 in " + sawOld
        + ", version 1 in " + sawNew + "; kills that left a temporary behind: " + tempsLeft + " temporaries, kills between the"
        + " two renames of a directory swap (recovered on load): " + swapsCut);
    // Nothing but the three targets and the temporaries their own writers make (a killed save's: a directory
    // swap's .NAME.tmp-X or .NAME.old-X, a file's .NAME.X.tmp), which the next save or load clears.
    try (var s = Files.list(dir)) {
      List<String> names = s.map(p -> p.getFileName().toString()).toList();
      for (String n : names)
        assertTrue(n.matches("model|checkpoint|weights\\.safetensors|\\.(model|checkpoint)\\.(tmp|old)-[0-9a-z]+"
            + "|\\.weights\\.safetensors\\.[0-9a-z]+\\.tmp"), "unexpected leftover " + n + " in " + names);
    }
  }

  // Which version the state is (0 or 1); fails if neither.
  private static int check(Map<String, Tensor> got, Map<String, Tensor> v0, Map<String, Tensor> v1, String what) {
    String first = v0.keySet().iterator().next();
    int v = java.util.Arrays.equals(got.get(first).data(), v0.get(first).data()) ? 0 : 1;
    Map<String, Tensor> want = v == 0 ? v0 : v1;
    assertTrue(got.keySet().equals(want.keySet()), what + ": tensor names differ");
    for (var e : want.entrySet()) assertArrayEquals(e.getValue().data(), got.get(e.getKey()).data(), what + ": " + e.getKey() + " is neither version");
    return v;
  }
}
