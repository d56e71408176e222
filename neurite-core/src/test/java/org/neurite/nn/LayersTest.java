package org.neurite.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.neurite.testing.Errors.assertMessage;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.io.ModelFiles;
import org.neurite.tensor.Tensor;

/** The layer table: a user's layer saves and loads once registered, and counting a config allocates nothing. */
class LayersTest {
  @TempDir
  Path dir;

  /** A user's layer: multiplies each feature by a learned scale that starts at {@code init}. */
  static final class Scale extends Layer {
    record Config(float init) {}

    private final float init;
    private Tensor weight;

    Scale(float init) {
      this.init = init;
    }

    static Scale of(Config c) {
      return new Scale(c.init());
    }

    Config config() {
      return new Config(init);
    }

    @Override
    protected int[] build(int[] in) {
      int d = in[in.length - 1];
      weight = param("weight", new int[] {d}, () -> Tensor.full(init, d));
      return in;
    }

    @Override
    protected Tensor compute(Tensor x) {
      return x.mul(weight);
    }
  }

  /** Not registered. */
  static final class Unknown extends Layer {
    @Override
    protected Tensor compute(Tensor x) {
      return x;
    }
  }

  @Test
  void aRegisteredCustomLayerSavesAndLoads() throws Exception {
    Layers.register("Scale", Scale.class, Scale.Config.class, Scale::config, Scale::of);
    Seeds.set(1);
    Sequential m = Sequential.of(new Dense(3).relu(), new Scale(2f), new Residual(Sequential.of(new Scale(0.5f)))).input(4);
    m.namedParameters().get("layers.1.weight").storage()[1] = 3f;
    ModelFiles.save(m, dir.resolve("m"));
    String cfg = Files.readString(dir.resolve("m").resolve(ModelFiles.CONFIG));
    assertTrue(cfg.contains("\"class\" : \"Scale\"") && cfg.contains("\"init\" : 2.0") && cfg.contains("\"activation\" : \"relu\""), cfg);
    Sequential back = ModelFiles.load(dir.resolve("m"));
    Tensor x = Tensor.uniform(new org.neurite.tensor.Rng(2), -1, 1, 5, 4);
    assertArrayEquals(m.predict(x).data(), back.predict(x).data(), 0f);
    assertEquals(m.parameterCount(), ModelFiles.estimateParameters(ModelFiles.config(m)));
    assertMessage(IllegalArgumentException.class, () -> ModelFiles.save(Sequential.of(new Unknown()).input(2), dir.resolve("u")),
        "has no config format", "Layers.register");
    assertMessage(IllegalArgumentException.class, () -> Layers.register("Dense", Scale.class, Scale.Config.class, Scale::config,
        Scale::of), "\"Dense\" already names");
  }

  @Test
  void aShapeOnlyBuildAllocatesNothingAndLeavesTheSeedsAlone() {
    // 4e10 parameters: allocating them would fail; counting them must not
    long n = Module.shapeOnly(() -> Sequential.of(new Embedding(200_000, 200_000), new LSTM(1000).layers(3)).input(7));
    assertEquals(200_000L * 200_000 + 4L * 1000 * (200_000 + 1000 + 2) + 2 * 4L * 1000 * (1000 + 1000 + 2), n);
    Seeds.set(5);
    float[] plain = Sequential.of(new Dense(3)).input(2).stateDict().get("layers.0.weight").toArray();
    Seeds.set(5);
    Module.shapeOnly(() -> Sequential.of(new Dense(3), new Dropout(0.5f)).input(2));
    assertArrayEquals(plain, Sequential.of(new Dense(3)).input(2).stateDict().get("layers.0.weight").toArray(), 0f);
  }
}
