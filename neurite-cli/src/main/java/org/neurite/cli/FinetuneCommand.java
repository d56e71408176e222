package org.neurite.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.neurite.io.ModelFiles;
import org.neurite.nn.Seeds;
import org.neurite.nn.Sequential;
import org.neurite.optim.Adam;
import org.neurite.tensor.Tensor;
import org.neurite.train.CsvLogger;
import org.neurite.train.Fit;
import org.neurite.train.History;
import org.neurite.train.Losses;
import org.neurite.train.Metrics;
import org.neurite.vision.ImageDataset;
import org.neurite.vision.Preprocessing;
import org.neurite.vision.Transform;
import org.neurite.vision.Transforms;
import org.neurite.vision.Zoo;
import org.neurite.vision.ZooModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code neurite finetune}: a pretrained image classifier trained further on a new task. The head is
 * replaced when the task has another number of classes; by default only that head trains (the
 * backbone frozen, BatchNorm statistics kept), and {@code --unfreeze} opens more of it to training at
 * {@code --backbone-lr}. Inputs are prepared as the pretrained model's were (its saved mean and std),
 * not with statistics of the new, small data set.
 */
@Command(name = "finetune", description = "Fine-tune a pretrained image classifier (Neurite model directory, or a torchvision "
    + "ONNX export with --arch) on a new labelled image set.")
final class FinetuneCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "DIR|FILE.onnx", description = "The pretrained model. " + Inputs.MODEL_HELP + " Also a torchvision .onnx export (with --arch).")
  Path model;

  @Option(names = "--arch", description = "For an .onnx file: the zoo network it is (" + "resnet18, resnet34, mobilenetv2, vgg11, "
      + "vgg16); its weights are read by torchvision name, so export it with do_constant_folding=False.")
  String arch;

  @Option(names = "--data", required = true, description = "The new task: " + ImageData.HELP + ".")
  String data;

  @Option(names = "--classes", description = "Number of classes of the new task (default: as many as the data has).")
  Integer classes;

  @Option(names = "--train", defaultValue = "head", description = "What trains: head (the new classifier only), all, "
      + "or a comma-separated list of layer-name prefixes besides the head (e.g. layers.6,layers.7).")
  String train;

  @Option(names = "--lr", defaultValue = "1e-3", description = "Adam's learning rate for the head.")
  float lr;

  @Option(names = "--backbone-lr", description = "Learning rate of the pretrained layers that train (default: lr / 10).")
  Float backboneLr;

  @Option(names = "--epochs", defaultValue = "10", description = "Passes over the training data.")
  int epochs;

  @Option(names = "--batch-size", defaultValue = "32", description = "Samples per training step.")
  int batchSize;

  @Option(names = "--augment", description = "Augmentations for training, e.g. flip=h,crop=4 (see train image).")
  String augment;

  @Option(names = "--seed", defaultValue = "1", description = "Random seed: weights, shuffling, augmentation.")
  long seed;

  @Option(names = "--out", required = true, description = "Output folder: model/, history.csv.")
  Path out;

  @picocli.CommandLine.Mixin
  Quiet quiet;

  @Override
  public Integer call() throws Exception {
    Run r = run(!quiet.on);
    System.out.printf(Locale.ROOT, "final: %s%nsaved model to %s%n", r.history().last(), out.resolve("model"));
    return 0;
  }

  /** A fine-tuning run's outcome: the history and the held-out accuracy. */
  record Run(History history, double accuracy) {}

  /**
   * The run behind {@code finetune} and the demo's transfer part, with this command's options (callers
   * without a command line build it with {@code CommandLine.populateCommand}).
   */
  Run run(boolean verbose) throws Exception {
    Seeds.set(seed);
    Path modelPath = Inputs.model(model);
    Pretrained p = load(modelPath, arch);
    int[] in = p.model().inputShape();
    ImageData d = ImageData.load(data, in[0], in[1], in[2]);
    int n = classes == null ? d.classes().size() : classes;
    if (n != d.classes().size())
      throw new IllegalArgumentException("--classes " + n + ": the data has " + d.classes().size() + " classes " + d.classes());
    Sequential m = p.model();
    int heads = m.outputShape()[0];
    if (heads != n) m = m.withNewHead(n);
    if (m.headIndex() < 0) throw new IllegalArgumentException("the model has no Dense classifier to fine-tune");
    String head = "layers." + m.headIndex();
    m.freeze();
    m.unfreeze(head);
    List<String> opened = new ArrayList<>();
    if (train.equals("all")) {
      m.unfreeze();
      opened.add("all");
    } else if (!train.equals("head")) {
      for (String prefix : train.split(",")) {
        m.unfreeze(prefix.trim());
        opened.add(prefix.trim());
      }
    }
    Adam adam = new Adam(lr);
    List<Tensor> backbone = new ArrayList<>();
    m.trainableParameters().forEach((name, t) -> {
      if (!name.equals(head) && !name.startsWith(head + ".")) backbone.add(t);
    });
    float blr = backboneLr == null ? lr / 10 : backboneLr;
    if (!backbone.isEmpty()) adam.learningRate(backbone, blr);
    Transform normalize = Transforms.normalize(p.preprocessing().mean(), p.preprocessing().std());
    Transform augmentation = augment == null ? normalize : Transforms.parse(augment).andThen(normalize);
    ImageDataset trainSet = d.splits().train().withTransform(augmentation);
    ImageDataset testSet = d.splits().test().withTransform(normalize);
    if (verbose) {
      System.out.printf(Locale.ROOT, "%s: %s%s; training %s (%,d of %,d parameters)%s%n", modelPath, p.name(),
          heads != n ? ", classifier replaced (" + heads + " to " + n + " classes)" : "",
          opened.isEmpty() ? "the head only" : "the head and " + String.join(", ", opened),
          m.trainableParameters().values().stream().mapToLong(Tensor::size).sum(), m.parameterCount(),
          backbone.isEmpty() ? "" : String.format(Locale.ROOT, ", backbone lr %.2g", blr));
      System.out.printf(Locale.ROOT, "%d training and %d test images, %d classes %s%n", trainSet.size(), testSet.size(), n,
          d.classes());
    }
    m.compile(adam, Losses.sparseCategoricalCrossentropy(), Metrics.accuracy());
    Files.createDirectories(out);
    History h = m.fit(trainSet, Fit.epochs(epochs).batchSize(batchSize).seed(seed).warmup(true).validationData(testSet).verbose(verbose)
        .callbacks(new CsvLogger(out.resolve("history.csv"))));
    Map<String, Object> meta = new LinkedHashMap<>(p.preprocessing().metadata());
    meta.put("classes", d.classes());
    meta.put("model", p.name());
    meta.put("finetuned_from", modelPath.toString());
    meta.put("seed", seed);
    ModelFiles.save(m, out.resolve("model"), meta);
    double acc = m.evaluate(testSet).getOrDefault("accuracy", Double.NaN);
    return new Run(h, acc);
  }

  /** A pretrained network and how its inputs were prepared. */
  record Pretrained(String name, Sequential model, Preprocessing preprocessing) {}

  static Pretrained load(Path path, String arch) throws Exception {
    if (path.toString().endsWith(".onnx")) {
      if (arch == null)
        throw new IllegalArgumentException("--model " + path + ": give --arch (the zoo network it is, e.g. resnet18) to fine-tune an "
            + "ONNX file; its weights are read into that network by torchvision name");
      Map<String, Tensor> byName = org.neurite.onnx.Onnx.weights(path);
      var in = org.neurite.onnx.Onnx.load(path).inputs().get(0).dims();
      if (in.length != 4 || in[1] < 1 || in[2] < 1 || in[3] < 1)
        throw new IllegalArgumentException(path + ": expected an image input [N, C, H, W] with fixed C, H and W, got "
            + java.util.Arrays.toString(in));
      Tensor fc = byName.get(arch.startsWith("resnet") ? "fc.weight" : arch.startsWith("vgg") ? "classifier.6.weight" : "classifier.1.weight");
      int classes = fc == null ? 1000 : fc.shape(0);
      ZooModel z = Zoo.byName(arch, (int) in[1], (int) in[2], (int) in[3], classes);
      z.loadTorchWeights(byName);
      return new Pretrained(arch, z.model(), z.preprocessing());
    }
    Sequential m = ModelFiles.load(path);
    JsonNode meta = ModelFiles.metadata(path);
    int c = m.inputShape()[0];
    Preprocessing pre = new Preprocessing(meta.path("preprocessing").asText("saved"), EvalCommand.floats(meta, "mean", c, 0f),
        EvalCommand.floats(meta, "std", c, 1f));
    return new Pretrained(meta.path("model").asText("model"), m, pre);
  }
}
