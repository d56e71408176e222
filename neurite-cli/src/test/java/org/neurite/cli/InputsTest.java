package org.neurite.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.io.ModelFiles;
import org.neurite.io.Npy;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.vision.Models;

/** What the commands read: eval's data (all of it without a test split), --model OUT, and missing paths named as such. */
class InputsTest {
  @TempDir static Path tmp;
  static Path out, flat;

  /** OUT/model: a LeNet over 3x12x12 images of two classes; flat: 10 images of each class, no train/ or test/. */
  @BeforeAll
  static void setUp() throws Exception {
    out = tmp.resolve("out");
    ModelFiles.save(Models.lenet(3, 12, 12, 2), out.resolve("model"), Map.of("classes", new String[] {"a", "b"},
        "mean", new float[] {0.5f, 0.5f, 0.5f}, "std", new float[] {0.25f, 0.25f, 0.25f}));
    flat = tmp.resolve("flat");
    for (String c : new String[] {"a", "b"}) {
      Path d = Files.createDirectories(flat.resolve(c));
      for (int k = 0; k < 10; k++)
        ImageIO.write(new BufferedImage(12, 12, BufferedImage.TYPE_INT_RGB), "png", d.resolve(k + ".png").toFile());
    }
  }

  @Test
  void evalOfAFolderWithoutSplitsReadsEveryImage() {
    Cli r = Cli.run("eval", "--model", out.resolve("model").toString(), "--data", flat.toString());
    assertEquals(0, r.status(), r.toString());
    assertTrue(r.out().contains("/20)"), r.toString());
  }

  @Test
  void evalScoresAFolderOfSomeClassesByTheModelsClassNames() throws Exception {
    Path onlyB = Files.createDirectories(tmp.resolve("only-b/b"));
    for (int k = 0; k < 3; k++)
      ImageIO.write(new BufferedImage(12, 12, BufferedImage.TYPE_INT_RGB), "png", onlyB.resolve(k + ".png").toFile());
    Cli r = Cli.run("eval", "--model", out.toString(), "--data", onlyB.getParent().toString());
    assertEquals(0, r.status(), r.toString());
    assertTrue(r.out().matches("(?s).*\nb +\\S+ +\\S+ +3\n.*"), "the 3 images are b's support, not a's\n" + r);
    Files.createDirectories(tmp.resolve("other/c"));
    ImageIO.write(new BufferedImage(12, 12, BufferedImage.TYPE_INT_RGB), "png", tmp.resolve("other/c/0.png").toFile());
    Cli bad = Cli.run("eval", "--model", out.toString(), "--data", tmp.resolve("other").toString());
    assertEquals(1, bad.status(), bad.toString());
    assertTrue(bad.err().contains("class \"c\" is not one of the model's classes [a, b]"), bad.toString());
  }

  @Test
  void evalOfTrainCommaTestReadsTheTestFile() throws Exception {
    Path train = Files.writeString(tmp.resolve("train.tsv"), "pos\tgood\nneg\tbad\npos\tfine\n");
    Path test = Files.writeString(tmp.resolve("test.tsv"), "neg\tawful\npos\tgreat\n");
    assertEquals(2, TextData.readAll(train + "," + test, "label,text", 1).size());
    assertEquals(3, TextData.readAll(train.toString(), "label,text", 1).size());
  }

  @Test
  void modelTakesTheFolderTrainWrote() throws Exception {
    assertEquals(out.resolve("model"), Inputs.model(out));
    assertEquals(out.resolve("model"), Inputs.model(out.resolve("model")));
    Cli eval = Cli.run("eval", "--model", out.toString(), "--data", flat.toString());
    assertEquals(0, eval.status(), eval.toString());
    Cli predict = Cli.run("predict", "--model", out.toString(), flat.resolve("a/0.png").toString());
    assertEquals(0, predict.status(), predict.toString());
    assertTrue(predict.out().startsWith(flat.resolve("a/0.png") + ":"), predict.toString());
    Path x = tmp.resolve("x.npy"), y = tmp.resolve("y.npy");
    Npy.write(x, Tensor.randn(new Rng(1), 2, 3, 12, 12));
    Cli run = Cli.run("run", "--model", out.toString(), "--input", x.toString(), "--output", y.toString());
    assertEquals(0, run.status(), run.toString());
    assertTrue(Files.exists(y));
  }

  @Test
  void predictWithAModelThatDoesNotTakeImagesSaysWhatItTakes() throws Exception {
    Path text = tmp.resolve("text-model");
    ModelFiles.save(org.neurite.nn.Sequential.of(new org.neurite.nn.Embedding(5, 2), new org.neurite.nn.GlobalAvgPool1D(),
        new org.neurite.nn.Dense(2)).input(4), text, Map.of("task", "text-classification"));
    Cli r = Cli.run("predict", "--model", text.toString(), flat.resolve("a/0.png").toString());
    assertEquals(1, r.status(), r.toString());
    assertTrue(r.err().contains("takes inputs of shape [4], not images [C, H, W]; it is a text classifier: use neurite classify"),
        r.toString());
  }

  @Test
  void missingPathsAreNamed() {
    assertEquals("neurite predict: image file not found: /nonexistent.png",
        Cli.run("predict", "--model", out.toString(), "/nonexistent.png").err().strip());
    assertEquals("neurite run: input file not found: /nonexistent.npy",
        Cli.run("run", "--model", out.toString(), "--input", "/nonexistent.npy", "--output", tmp.resolve("y.npy").toString()).err().strip());
    assertEquals("neurite convert: ONNX file not found: /nonexistent.onnx", Cli.run("convert", "/nonexistent.onnx", tmp.toString()).err().strip());
    String image = flat.resolve("a/0.png").toString();
    for (String[] command : new String[][] {{"eval"}, {"classify", "x"}, {"translate", "x"}, {"predict", image}, {"run", "--input", image,
        "--output", "y.npy"}, {"finetune", "--data", flat.toString(), "--out", tmp.resolve("ft").toString()}}) {
      String[] args = new String[command.length + 2];
      args[0] = command[0];
      args[1] = "--model";
      args[2] = "/nonexistent";
      System.arraycopy(command, 1, args, 3, command.length - 1);
      Cli r = Cli.run(args);
      assertEquals(1, r.status(), r.toString());
      assertTrue(r.err().startsWith("neurite " + command[0] + ": --model /nonexistent: no such file or folder; expected the OUT folder"),
          r.toString());
    }
  }
}
