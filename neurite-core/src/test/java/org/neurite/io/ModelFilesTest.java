package org.neurite.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.nn.BatchNorm;
import org.neurite.nn.Conv2D;
import org.neurite.nn.Dense;
import org.neurite.nn.Dropout;
import org.neurite.nn.Flatten;
import org.neurite.nn.GlobalAvgPool2D;
import org.neurite.nn.MaxPool2D;
import org.neurite.nn.AvgPool2D;
import org.neurite.nn.Padding;
import org.neurite.nn.Seeds;
import org.neurite.nn.Sequential;
import org.neurite.optim.Adam;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/** Save and load reproduce predictions; config round trips; damaged files give clear errors. */
class ModelFilesTest {
  @TempDir
  Path dir;

  private static Sequential model() {
    Seeds.set(3);
    return Sequential.of(new Conv2D(4, 3).padding(Padding.SAME).relu(), new BatchNorm(), new MaxPool2D(2),
        new Conv2D(6, 3).stride(1).dilation(1), new AvgPool2D(2), new Dropout(0.25f), new Flatten(), new Dense(5).softmax())
        .input(2, 8, 8);
  }

  @Test
  void saveThenLoadGivesTheSamePredictionsAndConfig() throws IOException {
    Sequential m = model();
    // Train the BatchNorm statistics a little so buffers differ from their initial values.
    m.train(true).forward(Tensor.randn(new Rng(1), 4, 2, 8, 8));
    ModelFiles.save(m, dir.resolve("m"));
    ModelFiles.save(m, dir.resolve("m"));   // overwriting leaves one complete copy
    Sequential back = ModelFiles.load(dir.resolve("m"));
    Tensor x = Tensor.randn(new Rng(2), 3, 2, 8, 8);
    assertArrayEquals(m.predict(x).data(), back.predict(x).data());
    assertEquals(ModelFiles.config(m), ModelFiles.config(back));
    try (var s = Files.list(dir)) {
      assertEquals(1, s.count(), "temporary directories must be gone");
    }
  }

  @Test
  void globalPoolModelRoundTrips() throws IOException {
    Sequential m = Sequential.of(new Conv2D(3, 1), new GlobalAvgPool2D(), new Dense(2)).input(1, 4, 4);
    ModelFiles.save(m, dir.resolve("g"));
    assertEquals(ModelFiles.config(m), ModelFiles.config(ModelFiles.load(dir.resolve("g"))));
  }

  @Test
  void truncatedWeightsNameTheFile() throws IOException {
    ModelFiles.save(model(), dir.resolve("m"));
    Path w = dir.resolve("m").resolve(ModelFiles.WEIGHTS);
    byte[] all = Files.readAllBytes(w);
    Files.write(w, java.util.Arrays.copyOf(all, all.length / 2));
    var e = assertThrows(IOException.class, () -> ModelFiles.load(dir.resolve("m")));
    assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("needs"), e.getMessage());
  }

  @Test
  void corruptConfigAndMissingFilesAreNamed() throws IOException {
    ModelFiles.save(model(), dir.resolve("m"));
    Files.writeString(dir.resolve("m").resolve(ModelFiles.CONFIG), "{\"format_version\": 1, \"class\": ");
    var e = assertThrows(IOException.class, () -> ModelFiles.load(dir.resolve("m")));
    assertTrue(e.getMessage().contains("config.json: not valid JSON"), e.getMessage());
    Files.writeString(dir.resolve("m").resolve(ModelFiles.CONFIG), "{\"format_version\": 9, \"class\": \"Sequential\"}");
    e = assertThrows(IOException.class, () -> ModelFiles.load(dir.resolve("m")));
    assertTrue(e.getMessage().contains("format_version 9 is not supported"), e.getMessage());
    e = assertThrows(IOException.class, () -> ModelFiles.load(dir.resolve("nothing")));
    assertTrue(e.getMessage().contains("not a model directory"), e.getMessage());
  }

  @Test
  void checkpointRestoresOptimizerStateAndEpoch() throws IOException {
    Sequential m = model();
    Adam adam = new Adam(m.parameters(), 1e-2f);
    for (int i = 0; i < 2; i++) {
      adam.zeroGrad();
      m.forward(Tensor.randn(new Rng(i), 2, 2, 8, 8)).sum().backward();
      adam.step();
    }
    Checkpoints.save(dir.resolve("ck"), m, adam, 5);
    Adam fresh = new Adam(1e-2f);
    Checkpoints.Resume r = Checkpoints.load(dir.resolve("ck"), fresh);
    assertEquals(5, r.nextEpoch());
    assertEquals(adam.state().keySet(), fresh.state().keySet());
    for (var k : adam.state().keySet()) assertArrayEquals(adam.state().get(k).data(), fresh.state().get(k).data(), k);
  }

  @Test
  void npyRoundTrip() throws IOException {
    Tensor t = Tensor.randn(new Rng(5), 2, 3, 4);
    Npy.write(dir.resolve("x.npy"), t);
    Tensor back = Npy.read(dir.resolve("x.npy"));
    assertArrayEquals(t.shape(), back.shape());
    assertArrayEquals(t.data(), back.data());
    Files.write(dir.resolve("bad.npy"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
    var e = assertThrows(IOException.class, () -> Npy.read(dir.resolve("bad.npy")));
    assertTrue(e.getMessage().contains("not a .npy file"), e.getMessage());
  }
}
