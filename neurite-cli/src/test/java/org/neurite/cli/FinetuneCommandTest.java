package org.neurite.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.io.ModelFiles;
import org.neurite.nn.Sequential;
import org.neurite.vision.Models;

/** {@code neurite finetune} on a tiny pretrained model and image folder. */
class FinetuneCommandTest {
  static Path folder(Path dir, String... classes) throws Exception {
    java.util.Random r = new java.util.Random(1);
    for (String split : List.of("train", "test"))
      for (int c = 0; c < classes.length; c++) {
        Path d = Files.createDirectories(dir.resolve(split).resolve(classes[c]));
        for (int k = 0; k < 4; k++) {
          BufferedImage img = new BufferedImage(12, 12, BufferedImage.TYPE_INT_RGB);
          for (int y = 0; y < 12; y++) for (int x = 0; x < 12; x++) img.setRGB(x, y, (c * 90 + r.nextInt(40)) * 0x010101);
          ImageIO.write(img, "png", d.resolve(k + ".png").toFile());
        }
      }
    return dir;
  }

  private static FinetuneCommand finetune(String... args) {
    return picocli.CommandLine.populateCommand(new FinetuneCommand(), args);
  }

  @Test
  void replacesTheHeadAndTrainsOnlyIt(@TempDir Path tmp) throws Exception {
    Sequential pre = Models.lenet(3, 12, 12, 4);
    ModelFiles.save(pre, tmp.resolve("pre"), Map.of("mean", new float[] {0.5f, 0.5f, 0.5f}, "std", new float[] {0.25f, 0.25f, 0.25f},
        "model", "lenet"));
    Path data = folder(tmp.resolve("data"), "a", "b", "c");
    var run = finetune("--model", tmp.resolve("pre").toString(), "--data", data.toString(), "--lr", "1e-2", "--epochs", "2",
        "--batch-size", "4", "--out", tmp.resolve("out").toString()).run(false);
    assertEquals(2, run.history().epochs().size());
    Sequential tuned = ModelFiles.load(tmp.resolve("out/model"));
    assertArrayEquals(new int[] {3}, tuned.outputShape());
    var before = pre.stateDict();
    tuned.stateDict().forEach((k, v) -> {
      if (k.startsWith("layers.7.")) assertArrayEquals(k.endsWith("weight") ? new int[] {3, 84} : new int[] {3}, v.shape(), k);
      else assertArrayEquals(before.get(k).toArray(), v.toArray(), 0f, k + " is frozen");
    });
    var meta = ModelFiles.metadata(tmp.resolve("out/model"));
    assertEquals(0.25, meta.path("std").get(0).asDouble(), 1e-6, "the pretrained model's preprocessing is kept");
    assertEquals("[\"a\",\"b\",\"c\"]", meta.path("classes").toString());
  }

  @Test
  void trainingMorePrefixesChangesThem(@TempDir Path tmp) throws Exception {
    Sequential pre = Models.lenet(3, 12, 12, 3);
    ModelFiles.save(pre, tmp.resolve("pre"), Map.of("model", "lenet"));
    Path data = folder(tmp.resolve("data"), "a", "b", "c");
    finetune("--model", tmp.resolve("pre").toString(), "--data", data.toString(), "--train", "layers.5", "--lr", "1e-2",
        "--backbone-lr", "1e-2", "--epochs", "1", "--batch-size", "4", "--out", tmp.resolve("out").toString()).run(false);
    var tuned = ModelFiles.load(tmp.resolve("out/model")).stateDict();
    assertNotEquals(pre.stateDict().get("layers.5.weight").toArray()[0], tuned.get("layers.5.weight").toArray()[0]);
    assertArrayEquals(pre.stateDict().get("layers.0.weight").toArray(), tuned.get("layers.0.weight").toArray(), 0f);
    var e = assertThrows(IllegalArgumentException.class, () -> finetune("--model", tmp.resolve("pre").toString(), "--data",
        data.toString(), "--train", "layer.5", "--lr", "1e-2", "--epochs", "1", "--batch-size", "4", "--out",
        tmp.resolve("out2").toString()).run(false));
    assertTrue(e.getMessage().contains("no parameter is named \"layer.5\""), e.getMessage());
  }

  @Test
  void anOnnxFileNeedsItsArchitecture(@TempDir Path tmp) {
    var e = assertThrows(IllegalArgumentException.class, () -> FinetuneCommand.load(tmp.resolve("m.onnx"), null));
    assertTrue(e.getMessage().contains("give --arch"), e.getMessage());
  }
}
