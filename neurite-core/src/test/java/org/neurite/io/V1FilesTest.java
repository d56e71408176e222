package org.neurite.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.nn.Sequential;
import org.neurite.optim.Adam;
import org.neurite.tensor.Tensor;

/**
 * Directories written by format_version 1 (frozen in src/test/resources/org/neurite/io/v1 by the code
 * of commit 89ed704, before the layer registry) keep loading, predict what they predicted then, and
 * survive a save and load through today's writer. A CNN with every image layer, a sequence model with
 * every sequence layer, and a training checkpoint.
 */
class V1FilesTest {
  @TempDir
  Path dir;

  static Path fixture(String name) throws Exception {
    return Path.of(V1FilesTest.class.getResource("/org/neurite/io/v1/" + name).toURI());
  }

  private static void predictsAsSaved(Sequential m, String name) throws Exception {
    Map<String, Tensor> want = SafeTensors.read(fixture(name + "-expected.safetensors"));
    assertArrayEquals(want.get("y").data(), m.predict(want.get("x")).data(), 1e-5f, name);
  }

  @Test
  void version1ModelsLoadAndPredictAsTheyDid() throws Exception {
    for (String name : List.of("cnn", "seq")) {
      Sequential m = ModelFiles.load(fixture(name));
      predictsAsSaved(m, name);
      ModelFiles.save(m, dir.resolve(name));
      predictsAsSaved(ModelFiles.load(dir.resolve(name)), name);
    }
    assertEquals("frozen v1 fixture", ModelFiles.metadata(fixture("cnn")).path("note").asText());
  }

  @Test
  void aVersion1CheckpointResumes() throws Exception {
    Checkpoints.Resume r = Checkpoints.load(fixture("checkpoint"), new Adam(1e-2f));
    assertEquals(1, r.nextEpoch());
    assertEquals(9, ((Number) r.info().get("seed")).intValue());
    assertEquals(List.of(new Checkpoints.CallbackState("EarlyStopping", Map.of("wait", 1.0, "best", 0.5))), r.callbacks());
    predictsAsSaved(r.model(), "checkpoint");
  }
}
