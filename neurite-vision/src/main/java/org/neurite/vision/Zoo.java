package org.neurite.vision;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neurite.nn.Activation;
import org.neurite.nn.ActivationLayer;
import org.neurite.nn.BatchNorm;
import org.neurite.nn.Conv2D;
import org.neurite.nn.Dense;
import org.neurite.nn.Dropout;
import org.neurite.nn.Flatten;
import org.neurite.nn.GlobalAvgPool2D;
import org.neurite.nn.MaxPool2D;
import org.neurite.nn.Module;
import org.neurite.nn.Padding;
import org.neurite.nn.Residual;
import org.neurite.nn.Sequential;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * The model zoo: the classic image classifiers, built as plain {@link Sequential} models (so they
 * train, save, export to ONNX and fine-tune like any other) with the preprocessing they were trained
 * with. Architectures follow torchvision's layer for layer, and {@link ZooModel#torchNames} maps
 * every parameter to its torchvision name, so torchvision weights load with
 * {@link ZooModel#loadTorchWeights}.
 *
 * <pre>{@code
 * ZooModel net = Zoo.resnet18(1000);                    // random init, ImageNet preprocessing
 * net.loadTorchWeights(SafeTensors.read(Path.of("resnet18.safetensors")));
 * }</pre>
 *
 * Every network ends in {@code Dense(classes).softmax()}, as Neurite's classifiers do; torchvision's
 * end in logits, so compare with {@code softmax} applied to them.
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class Zoo {
  /** The names {@link #byName} knows. */
  public static final List<String> NAMES = List.of("seed-cnn", "lenet", "vgg11", "vgg16", "resnet18", "resnet34", "resnet20",
      "mobilenetv2");

  private Zoo() {}

  /**
   * The zoo model of that name for inputs {@code [channels, height, width]}.
   *
   * @param name one of {@link #NAMES}
   * @param channels input channels
   * @param height input height
   * @param width input width
   * @param classes output classes
   * @return the network with its name, preprocessing and torchvision layer names
   * @throws IllegalArgumentException if the name is unknown
   */
  public static ZooModel byName(String name, int channels, int height, int width, int classes) {
    Preprocessing pre = preprocessingFor(channels, height);
    return switch (name) {
      case "seed-cnn" -> new ZooModel(name, Models.seedCnn(channels, height, width, classes), pre, Map.of());
      case "lenet" -> new ZooModel(name, Models.lenet(channels, height, width, classes), pre, Map.of());
      case "vgg11" -> vgg(11, false, channels, height, width, classes);
      case "vgg16" -> vgg(16, false, channels, height, width, classes);
      case "resnet18" -> resnet(18, channels, height, width, classes);
      case "resnet34" -> resnet(34, channels, height, width, classes);
      case "resnet20" -> resnet20(channels, height, width, classes);
      case "mobilenetv2" -> mobilenetV2(1f, channels, height, width, classes);
      default -> throw new IllegalArgumentException("unknown model \"" + name + "\"; known: " + String.join(", ", NAMES));
    };
  }

  // ---------------------------------------------------------------- ResNet

  /**
   * ResNet-18 for 224x224 RGB images (He et al., 2016; torchvision's resnet18).
   *
   * @param classes output classes
   * @return the network with its name, preprocessing and torchvision layer names
   */
  public static ZooModel resnet18(int classes) {
    return resnet(18, 3, 224, 224, classes);
  }

  /**
   * ResNet-34 for 224x224 RGB images (torchvision's resnet34).
   *
   * @param classes output classes
   * @return the network with its name, preprocessing and torchvision layer names
   */
  public static ZooModel resnet34(int classes) {
    return resnet(34, 3, 224, 224, classes);
  }

  /**
   * ResNet-18 or -34 (basic blocks) for any input of at least 32x32: 7x7/2 stem, 3x3/2 max pool,
   * four stages of 64, 128, 256 and 512 channels, global average pooling, a classifier.
   *
   * @param depth 18 or 34
   * @param channels input channels
   * @param height input height
   * @param width input width
   * @param classes output classes
   * @return the network with its name, preprocessing and torchvision layer names
   * @throws IllegalArgumentException if the depth is neither
   */
  public static ZooModel resnet(int depth, int channels, int height, int width, int classes) {
    int[] blocks = switch (depth) {
      case 18 -> new int[] {2, 2, 2, 2};
      case 34 -> new int[] {3, 4, 6, 3};
      default -> throw new IllegalArgumentException("resnet: depth " + depth + " is not built here (18 or 34; deeper ones use "
          + "bottleneck blocks)");
    };
    Net net = new Net();
    net.add(conv(64, 7, 2, 3), "conv1");
    net.add(new BatchNorm(), "bn1");
    net.add(new ActivationLayer(Activation.RELU), null);
    net.add(new MaxPool2D(3, 2, Padding.SAME), null);
    int in = 64;
    for (int stage = 0; stage < 4; stage++) {
      int width2 = 64 << stage;
      for (int b = 0; b < blocks[stage]; b++) {
        int stride = stage > 0 && b == 0 ? 2 : 1;
        net.add(basicBlock(net, in, width2, stride, "layer" + (stage + 1) + "." + b));
        in = width2;
      }
    }
    net.add(new GlobalAvgPool2D(), null);
    net.add(new Dense(classes).softmax(), "fc");
    return net.done("resnet" + depth, channels, height, width, preprocessingFor(channels, height));
  }

  /**
   * The CIFAR ResNet-20 (He et al., 2016, section 4.2): a 3x3 stem of 16 channels, three stages of
   * three basic blocks with 16, 32 and 64 channels, global average pooling, a classifier; 0.27 M
   * parameters. Where a stage halves the size, the shortcut is a 1x1 convolution and BatchNorm (the
   * paper's option B) rather than zero padding.
   *
   * @param channels input channels
   * @param height input height
   * @param width input width
   * @param classes output classes
   * @return the network with its name, preprocessing and torchvision layer names
   */
  public static ZooModel resnet20(int channels, int height, int width, int classes) {
    Net net = new Net();
    net.add(conv(16, 3, 1, 1), "conv1");
    net.add(new BatchNorm(), "bn1");
    net.add(new ActivationLayer(Activation.RELU), null);
    int in = 16;
    for (int stage = 0; stage < 3; stage++) {
      int w = 16 << stage;
      for (int b = 0; b < 3; b++) {
        net.add(basicBlock(net, in, w, stage > 0 && b == 0 ? 2 : 1, "layer" + (stage + 1) + "." + b));
        in = w;
      }
    }
    net.add(new GlobalAvgPool2D(), null);
    net.add(new Dense(classes).softmax(), "fc");
    return net.done("resnet20", channels, height, width, preprocessingFor(channels, height));
  }

  /** torchvision's BasicBlock: conv3x3-BN-ReLU-conv3x3-BN, plus the input (projected when the shape changes), then ReLU. */
  private static Residual basicBlock(Net net, int in, int out, int stride, String torch) {
    Sub body = new Sub(net, "body");
    body.add(conv(out, 3, stride, 1), torch + ".conv1");
    body.add(new BatchNorm(), torch + ".bn1");
    body.add(new ActivationLayer(Activation.RELU), null);
    body.add(conv(out, 3, 1, 1), torch + ".conv2");
    body.add(new BatchNorm(), torch + ".bn2");
    Sub shortcut = null;
    if (stride != 1 || in != out) {
      shortcut = new Sub(net, "shortcut");
      shortcut.add(conv(out, 1, stride, 0), torch + ".downsample.0");
      shortcut.add(new BatchNorm(), torch + ".downsample.1");
    }
    return body.residual(shortcut).relu();
  }

  // ---------------------------------------------------------------- VGG

  private static final int[] VGG11 = {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0};
  private static final int[] VGG16 = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};

  /**
   * VGG-11 or -16 (Simonyan and Zisserman, 2015; torchvision's vgg11/vgg16, or vgg11_bn/vgg16_bn with
   * {@code batchNorm}): 3x3 convolutions with 2x2 max pooling between the blocks. At 224x224 the
   * classifier is torchvision's (4096, 4096, dropout 0.5); for small inputs such as CIFAR's 32x32
   * it is the usual 512-unit one, as 4096-wide layers over a 1x1 map would be mostly waste.
   *
   * @param depth 11 or 16
   * @param batchNorm whether each convolution is followed by BatchNorm
   * @param channels input channels
   * @param height input height
   * @param width input width
   * @param classes output classes
   * @return the network with its name, preprocessing and torchvision layer names
   * @throws IllegalArgumentException if the depth is neither
   */
  public static ZooModel vgg(int depth, boolean batchNorm, int channels, int height, int width, int classes) {
    int[] cfg = switch (depth) {
      case 11 -> VGG11;
      case 16 -> VGG16;
      default -> throw new IllegalArgumentException("vgg: depth " + depth + " is not built here (11 or 16)");
    };
    Net net = new Net();
    int index = 0;   // torchvision's features.N index
    for (int c : cfg) {
      if (c == 0) {
        net.add(new MaxPool2D(2), null);
        index++;
        continue;
      }
      net.add(new Conv2D(c, 3).padding(1), "features." + index++);
      if (batchNorm) net.add(new BatchNorm(), "features." + index++);
      net.add(new ActivationLayer(Activation.RELU), null);
      index++;
    }
    net.add(new Flatten(), null);
    if (height >= 224 && width >= 224) {
      net.add(new Dense(4096).relu(), "classifier.0");
      net.add(new Dropout(0.5f), null);
      net.add(new Dense(4096).relu(), "classifier.3");
      net.add(new Dropout(0.5f), null);
      net.add(new Dense(classes).softmax(), "classifier.6");
    } else {
      net.add(new Dense(512).relu(), "classifier.0");
      net.add(new Dropout(0.5f), null);
      net.add(new Dense(classes).softmax(), "classifier.3");
    }
    return net.done("vgg" + depth + (batchNorm ? "_bn" : ""), channels, height, width, preprocessingFor(channels, height));
  }

  // ---------------------------------------------------------------- MobileNetV2

  /**
   * MobileNetV2 (Sandler et al., 2018; torchvision's mobilenet_v2): inverted residual blocks of a 1x1
   * expansion, a 3x3 depthwise convolution and a linear 1x1 projection, ReLU6, a 1280-channel last
   * layer and dropout 0.2 before the classifier. {@code widthMult} scales every layer but the last,
   * rounded to multiples of 8, as torchvision does.
   *
   * @param widthMult the width multiplier (1 for the standard network)
   * @param channels input channels
   * @param height input height
   * @param width input width
   * @param classes output classes
   * @return the network with its name, preprocessing and torchvision layer names
   */
  public static ZooModel mobilenetV2(float widthMult, int channels, int height, int width, int classes) {
    if (!(widthMult > 0)) throw new IllegalArgumentException("mobilenetV2: widthMult (" + widthMult + ") must be > 0");
    int[][] settings = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    Net net = new Net();
    int in = divisible(32 * widthMult), last = divisible(1280 * Math.max(1f, widthMult));
    int index = 0;   // torchvision's features.N
    net.add(conv(in, 3, 2, 1), "features.0.0");
    net.add(new BatchNorm(), "features.0.1");
    net.add(new ActivationLayer(Activation.RELU6), null);
    index++;
    for (int[] s : settings) {
      int out = divisible(s[1] * widthMult);
      for (int i = 0; i < s[2]; i++) {
        int stride = i == 0 ? s[3] : 1;
        String torch = "features." + index++;
        Sub body = new Sub(net, "body");
        int hidden = Math.round(in * s[0]);
        int k = 0;   // torchvision's conv.K
        if (s[0] != 1) {
          body.add(conv(hidden, 1, 1, 0), torch + ".conv.0.0");
          body.add(new BatchNorm(), torch + ".conv.0.1");
          body.add(new ActivationLayer(Activation.RELU6), null);
          k = 1;
        }
        body.add(conv(hidden, 3, stride, 1).groups(hidden), torch + ".conv." + k + ".0");
        body.add(new BatchNorm(), torch + ".conv." + k + ".1");
        body.add(new ActivationLayer(Activation.RELU6), null);
        body.add(conv(out, 1, 1, 0), torch + ".conv." + (k + 1));
        body.add(new BatchNorm(), torch + ".conv." + (k + 2));
        if (stride == 1 && in == out) net.add(body.residual(null));
        else body.inline();   // no shortcut: the block's layers go straight into the network
        in = out;
      }
    }
    net.add(conv(last, 1, 1, 0), "features." + index + ".0");
    net.add(new BatchNorm(), "features." + index + ".1");
    net.add(new ActivationLayer(Activation.RELU6), null);
    net.add(new GlobalAvgPool2D(), null);
    net.add(new Dropout(0.2f), null);
    net.add(new Dense(classes).softmax(), "classifier.1");
    return net.done("mobilenetv2", channels, height, width, preprocessingFor(channels, height));
  }

  // torchvision's _make_divisible: the nearest multiple of 8, never more than 10% below the value.
  private static int divisible(float v) {
    int d = Math.max(8, (int) (v + 4) / 8 * 8);
    return d < 0.9f * v ? d + 8 : d;
  }

  // ---------------------------------------------------------------- helpers

  /** A convolution without bias (a BatchNorm follows), PyTorch-style symmetric padding. */
  private static Conv2D conv(int filters, int k, int stride, int pad) {
    return new Conv2D(filters, k).stride(stride).padding(pad).useBias(false);
  }

  private static Preprocessing preprocessingFor(int channels, int height) {
    return channels == 1 ? Preprocessing.MNIST : height >= 64 ? Preprocessing.IMAGENET : Preprocessing.CIFAR10;
  }

  /** A network's layers and, for each layer with parameters, the torchvision module it corresponds to. */
  private static final class Net {
    final List<Module> layers = new ArrayList<>();
    final Map<String, String> torch = new LinkedHashMap<>();

    void add(Module m, String torchName) {
      if (torchName != null) torch.put("layers." + layers.size(), torchName);
      layers.add(m);
    }

    void add(Residual block) {
      layers.add(block);
    }

    ZooModel done(String name, int channels, int height, int width, Preprocessing pre) {
      Sequential model = Sequential.of(layers.toArray(Module[]::new)).input(channels, height, width);
      return new ZooModel(name, model, pre, torch);
    }
  }

  /** The layers of a residual branch, whose torchvision names are recorded once the block's place is known. */
  private static final class Sub {
    final Net net;
    final String branch;
    final List<Module> layers = new ArrayList<>();
    final List<String> names = new ArrayList<>();

    Sub(Net net, String branch) {
      this.net = net;
      this.branch = branch;
    }

    void add(Module m, String torchName) {
      layers.add(m);
      names.add(torchName);
    }

    /** A Residual of these layers (and the shortcut's), its names registered under the network's next index. */
    Residual residual(Sub shortcut) {
      String at = "layers." + net.layers.size() + ".";
      register(at);
      if (shortcut != null) shortcut.register(at);
      return new Residual(Sequential.of(layers.toArray(Module[]::new)),
          shortcut == null ? null : Sequential.of(shortcut.layers.toArray(Module[]::new)));
    }

    private void register(String at) {
      for (int i = 0; i < names.size(); i++)
        if (names.get(i) != null) net.torch.put(at + branch + ".layers." + i, names.get(i));
    }

    /** Adds the layers straight to the network, with their names. */
    void inline() {
      for (int i = 0; i < layers.size(); i++) net.add(layers.get(i), names.get(i));
    }
  }

  /** Copies {@code src} into {@code dst}, both by name, checking every shape. */
  static void copy(Map<String, Tensor> dst, String name, Tensor src, String from) {
    Tensor d = dst.get(name);
    if (!Shape.same(d.shape(), src.shape()))
      throw new IllegalArgumentException("weights: \"" + from + "\" has shape " + Shape.str(src.shape()) + ", the model's \""
          + name + "\" needs " + Shape.str(d.shape()));
    System.arraycopy(src.data(), 0, d.storage(), 0, src.size());
  }
}
