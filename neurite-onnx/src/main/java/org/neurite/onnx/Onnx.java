package org.neurite.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.neurite.autograd.GradMode;
import org.neurite.io.BoundedFiles;
import org.neurite.io.Npy;
import org.neurite.nn.Module;
import org.neurite.onnx.proto.OnnxProto.ModelProto;
import org.neurite.tensor.Tensor;

/**
 * ONNX import and export: the entry points.
 *
 * <pre>{@code
 * OnnxModel net = Onnx.load(Path.of("resnet18.onnx"));      // weights are trainable parameters
 * Tensor logits = net.eval().predict(images);                 // [N, 3, 224, 224] -> [N, 1000]
 * net.compile(Optimizers.sgd(0.01), Losses.sparseCategoricalCrossentropy()).fit(x, y, Fit.epochs(1));
 * Onnx.export(Sequential.of(new Dense(10).relu(), new Dense(2)), new int[] {4}, Path.of("mlp.onnx"));
 * }</pre>
 *
 * <p>Reading is defensive: a truncated or corrupt file, an unsupported operator or opset, a cyclic
 * graph, sizes the data does not back, or external data outside the model's directory give an
 * {@link OnnxException} with a one-line message, before anything large is allocated.
 *
 * <p>Thread-safe: static methods with no shared mutable state; each load returns a new model.
 */
public final class Onnx {
  /** Protobuf nesting depth allowed while parsing (graphs inside attributes nest). */
  private static final int RECURSION_LIMIT = 64;

  private Onnx() {}

  /**
   * Loads a {@code .onnx} file, or a model directory written by {@link #convert}, into a trainable
   * model (in training mode, as every new Module; call {@code eval()} for inference).
   *
   * @param path a {@code .onnx} file or a converted model directory
   * @return the model, in training mode
   * @throws java.nio.file.NoSuchFileException if {@code path} does not exist
   * @throws OnnxException if the file is not an ONNX model Neurite can import
   * @throws IOException if the file cannot be read
   */
  public static OnnxModel load(Path path) throws IOException {
    if (Files.isDirectory(path)) return loadDirectory(path);
    if (!Files.exists(path)) throw new NoSuchFileException(path + ": no such ONNX file");
    long size = BoundedFiles.requireRegular(path, "ONNX file");
    if (size > TensorCodec.MAX_ELEMENTS)
      throw new OnnxException(path + ": " + size + " bytes; a .onnx file over 2 GiB must keep its weights in external data files");
    byte[] bytes = BoundedFiles.readAllBytes(path, TensorCodec.MAX_ELEMENTS, "ONNX file");
    Path dir = path.toAbsolutePath().getParent();
    return OnnxModel.build(parse(bytes, path.toString()), dir, path.getFileName().toString());
  }

  /**
   * The weights of a {@code .onnx} file by name: its initializers, plus every name an Identity node
   * gives one of them. PyTorch's exporter keeps one copy of equal initializers (the zeros and ones of
   * freshly initialised BatchNorms) and names the others through Identity nodes, so a state_dict name
   * may only exist as such an alias. For reading weights into a network built in Java
   * ({@code ZooModel.loadTorchWeights}).
   *
   * @param path a {@code .onnx} file
   * @return each weight by its initializer name, and again by every Identity alias of it
   * @throws OnnxException if the file is not an ONNX model Neurite can import
   * @throws IOException if the file cannot be read
   */
  public static Map<String, Tensor> weights(Path path) throws IOException {
    OnnxModel model = load(path);
    Map<String, Tensor> state = model.stateDict(), out = new LinkedHashMap<>();
    model.stateNames().forEach((init, mine) -> out.put(init, state.get(mine)));
    boolean grew = true;
    var nodes = parse(BoundedFiles.readAllBytes(path, TensorCodec.MAX_ELEMENTS, "ONNX file"), path.toString()).getGraph().getNodeList();
    while (grew) {   // chains of Identity nodes, in any order
      grew = false;
      for (var n : nodes)
        if (n.getOpType().equals("Identity") && n.getInputCount() == 1 && n.getOutputCount() == 1
            && out.containsKey(n.getInput(0)) && !out.containsKey(n.getOutput(0))) {
          out.put(n.getOutput(0), out.get(n.getInput(0)));
          grew = true;
        }
    }
    return out;
  }

  /**
   * Loads a model from bytes; it cannot refer to external data (there is no directory to read it from).
   *
   * @param bytes the serialised {@code ModelProto}
   * @return the model, in training mode
   * @throws OnnxException if the bytes are not an ONNX model Neurite can import, or it refers to external data
   */
  public static OnnxModel load(byte[] bytes) throws OnnxException {
    return OnnxModel.build(parse(bytes, "<bytes>"), null, "<bytes>");
  }

  static ModelProto parse(byte[] bytes, String where) throws OnnxException {
    if (bytes.length == 0) throw new OnnxException(where + ": the file is empty");
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      in.setRecursionLimit(RECURSION_LIMIT);
      in.enableAliasing(true);   // raw_data shares the file's bytes instead of copying them
      ModelProto m = ModelProto.parseFrom(in);
      in.checkLastTagWas(0);
      return m;
    } catch (InvalidProtocolBufferException e) {
      throw new OnnxException(where + ": not a valid ONNX model: the protobuf data is truncated or corrupt ("
          + e.getMessage().lines().findFirst().orElse("") + ")", e);
    } catch (IOException e) {
      throw new OnnxException(where + ": cannot parse: " + e.getMessage(), e);
    }
  }

  /**
   * Writes {@code model} as ONNX (opset 13, or 17 when a LayerNorm needs LayerNormalization): a
   * {@link org.neurite.nn.Sequential} of Neurite's built-in layers (Dense, Conv2D, MaxPool2D, AvgPool2D,
   * GlobalAvgPool2D, Flatten, Dropout, BatchNorm, Residual, activations; and for sequences Embedding,
   * LSTM, GRU, SimpleRNN, Bidirectional, GlobalAvgPool1D, AttentionPooling, LayerNorm, PositionalEmbedding,
   * PositionalEncoding, MultiHeadAttention, TransformerEncoderLayer), built for {@code inputShape} (per
   * sample, without the batch axis) if it is not built yet; or an imported {@link OnnxModel} with its
   * current weights ({@code inputShape} is then ignored). Parameter names are the model's state_dict
   * names. A model that starts with an Embedding takes int64 token ids {@code [N, T]} with T free, and
   * its padding mask (Embedding.paddingIdx) is computed in the graph, assuming right padding.
   *
   * @param model a {@link org.neurite.nn.Sequential} of built-in layers, or an imported {@link OnnxModel}
   * @param inputShape the input shape per sample, without the batch axis (ignored for an {@link OnnxModel})
   * @param file the {@code .onnx} file to write, atomically
   * @throws OnnxException if the model holds a layer that has no ONNX export, or is not built and
   *     {@code inputShape} is null
   * @throws IOException if the file cannot be written
   */
  public static void export(Module model, int[] inputShape, Path file) throws IOException {
    ModelProto m = model instanceof OnnxModel om ? om.toProto(null, null) : OnnxExport.export(model, inputShape);
    org.neurite.io.AtomicFiles.write(file, m.toByteArray());
  }

  // ---------------------------------------------------------------- model directories (neurite convert)

  /** The file names inside a converted model directory. */
  public static final String CONFIG = "config.json", WEIGHTS = "model.safetensors", GRAPH = "model.onnx";

  /**
   * {@code neurite convert FILE.onnx DIR}: saves the model as a Neurite model directory: config.json
   * ({@code "class": "OnnxModel"}), model.safetensors (parameters and buffers, by their names) and
   * model.onnx (the graph, whose trained initializers point into model.safetensors as ONNX external
   * data, so the directory is also a valid ONNX model for other tools).
   *
   * @param onnx the {@code .onnx} file to import
   * @param dir the model directory to write
   * @throws OnnxException if the file is not an ONNX model Neurite can import
   * @throws IOException if a file cannot be read or written
   */
  public static void convert(Path onnx, Path dir) throws IOException {
    load(onnx).save(dir);
  }

  private static OnnxModel loadDirectory(Path dir) throws IOException {
    Path cfg = dir.resolve(CONFIG);
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(BoundedFiles.readString(cfg, 16 << 20, "model config"));
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(cfg + ": missing; an ONNX model directory holds " + CONFIG + ", " + WEIGHTS + " and " + GRAPH);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new OnnxException(cfg + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
    }
    int version = root.path("format_version").asInt(-1);
    if (version < 1 || version > org.neurite.io.ModelFiles.FORMAT_VERSION)
      throw new OnnxException(cfg + ": format_version " + root.path("format_version") + " is not supported (1.."
          + org.neurite.io.ModelFiles.FORMAT_VERSION + ")");
    if (!"OnnxModel".equals(root.path("class").asText()))
      throw new OnnxException(cfg + ": class \"" + root.path("class").asText() + "\" is not an imported ONNX model; "
          + "load it with ModelFiles.load");
    String graph = root.path("graph").asText(GRAPH);
    Path file = TensorCodec.resolveInside(dir, graph, cfg.toString());
    return load(file);
  }

  // ---------------------------------------------------------------- neurite run

  /**
   * {@code neurite run --model FILE.onnx --input x.npy --output y.npy}: the model's forward pass in
   * evaluation mode on one .npy input (integer arrays are read as whole-number floats), writing the
   * first output as float32 .npy.
   *
   * @param model a {@code .onnx} file or a converted model directory
   * @param input a {@code .npy} array, the batch axis first
   * @param output the {@code .npy} file for the first output, float32
   * @throws OnnxException if the model is not an ONNX model Neurite can import
   * @throws IOException if a file cannot be read or written
   */
  public static void run(Path model, Path input, Path output) throws IOException {
    run(model, input, output, Integer.MAX_VALUE);
  }

  /**
   * As {@link #run(Path, Path, Path)}, {@code batchSize} samples of the input's first axis at a time
   * when the graph's batch axis is free (a fixed one takes the input whole), the outputs joined.
   *
   * @param model the {@code .onnx} file or converted model directory
   * @param input the input {@code .npy}, batch axis first
   * @param output where the first output is written as {@code .npy}
   * @param batchSize samples per forward pass, at least 1
   * @throws IOException if a file cannot be read or written, or the model is invalid
   */
  public static void run(Path model, Path input, Path output, int batchSize) throws IOException {
    if (batchSize < 1) throw new IllegalArgumentException("run: batchSize (" + batchSize + ") must be >= 1");
    OnnxModel m = load(model);
    m.eval();
    Tensor x = Npy.read(input);
    long[] dims = m.inputs().isEmpty() ? new long[0] : m.inputs().get(0).dims();
    boolean freeBatch = dims.length > 0 && dims[0] < 0 && x.rank() > 0;
    int n = x.rank() == 0 ? 1 : x.shape(0), step = freeBatch ? batchSize : Math.max(n, 1);
    java.util.List<Tensor> parts = new java.util.ArrayList<>();
    try (var off = GradMode.off()) {
      for (int i = 0; i < n || i == 0; i += step) {
        Tensor xi = freeBatch && step < n ? x.slice(0, i, Math.min(n, i + step)).contiguous() : x;
        parts.add(m.forward(xi).contiguous());
        if (xi == x) break;
      }
    }
    Npy.write(output, parts.size() == 1 ? parts.get(0) : Tensor.concat(0, parts.toArray(Tensor[]::new)).contiguous());
  }
}
