package org.neurite.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.neurite.nn.Activation;
import org.neurite.nn.ActivationLayer;
import org.neurite.nn.AttentionPooling;
import org.neurite.nn.AvgPool2D;
import org.neurite.nn.BatchNorm;
import org.neurite.nn.Bidirectional;
import org.neurite.nn.Conv2D;
import org.neurite.nn.Dense;
import org.neurite.nn.Dropout;
import org.neurite.nn.Embedding;
import org.neurite.nn.Flatten;
import org.neurite.nn.GRU;
import org.neurite.nn.GlobalAvgPool1D;
import org.neurite.nn.GlobalAvgPool2D;
import org.neurite.nn.LSTM;
import org.neurite.nn.LayerNorm;
import org.neurite.nn.MaxPool2D;
import org.neurite.nn.Module;
import org.neurite.nn.MultiHeadAttention;
import org.neurite.nn.Padding;
import org.neurite.nn.Pool2D;
import org.neurite.nn.PositionalEmbedding;
import org.neurite.nn.PositionalEncoding;
import org.neurite.nn.RecurrentLayer;
import org.neurite.nn.Residual;
import org.neurite.nn.Sequential;
import org.neurite.nn.SimpleRNN;
import org.neurite.nn.TransformerEncoderLayer;
import org.neurite.tensor.Tensor;

/**
 * A saved model is a directory (contract 4 in DESIGN.md): {@code config.json} (format_version, the
 * input shape and one {"class", "config"} per layer, with Keras' key names) and
 * {@code model.safetensors} (the state_dict: {@code layers.0.weight}, ...), readable by PyTorch's
 * safetensors. Saving writes a sibling temporary directory and renames it into place, so a crash
 * leaves either the old model or the new one, never a mix.
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class ModelFiles {
  /** The config.json format this version writes ({@code "format_version"}). */
  public static final int FORMAT_VERSION = 1;
  /** The two files of a model directory. */
  public static final String CONFIG = "config.json", WEIGHTS = "model.safetensors";
  private static final long MAX_CONFIG = 16 << 20;
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ModelFiles() {}

  /**
   * Saves a built model to {@code dir}, replacing what was there.
   *
   * @param model a built model
   * @param dir the model directory
   * @throws IllegalStateException if the model is not built
   * @throws IOException if a file cannot be written; the old directory, if any, is left as it was
   */
  public static void save(Sequential model, Path dir) throws IOException {
    save(model, dir, Map.of());
  }

  /**
   * Saves with {@code metadata} (class names, preprocessing, ...) kept under "metadata" in
   * config.json; {@link #metadata} reads it back.
   *
   * @param model a built model
   * @param dir the model directory
   * @param metadata entries to keep, serialisable as JSON
   * @throws IllegalStateException if the model is not built
   * @throws IOException if a file cannot be written; the old directory, if any, is left as it was
   */
  public static void save(Sequential model, Path dir, Map<String, Object> metadata) throws IOException {
    if (!model.isBuilt())
      throw new IllegalStateException("save: the model is not built; call input(...) or run it on a batch first");
    saveDirectory(dir, tmp -> writeModel(tmp, model, metadata));
  }

  static void writeModel(Path tmp, Sequential model, Map<String, Object> metadata) throws IOException {
    ObjectNode cfg = config(model);
    if (!metadata.isEmpty()) cfg.set("metadata", JSON.valueToTree(metadata));
    AtomicFiles.writeString(tmp.resolve(CONFIG), JSON.writeValueAsString(cfg));
    SafeTensors.write(tmp.resolve(WEIGHTS), model.stateDict());
  }

  /**
   * The "metadata" object of a saved model's config.json (empty when there is none).
   *
   * @param dir the model directory
   * @return the metadata object, or a missing node
   * @throws IOException if a file is missing or invalid; the message names the file and what is wrong
   */
  public static JsonNode metadata(Path dir) throws IOException {
    recover(dir);
    try {
      return JSON.readTree(BoundedFiles.readString(dir.resolve(CONFIG), MAX_CONFIG, "model config")).path("metadata");
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(dir.resolve(CONFIG) + ": missing; a model directory holds " + CONFIG + " and " + WEIGHTS);
    }
  }

  /**
   * Loads a model saved by {@link #save}; errors name the file and what is wrong with it.
   *
   * @param dir the model directory
   * @return the model, built, with the saved weights
   * @throws IOException if a file is missing or invalid; the message names the file and what is wrong
   */
  public static Sequential load(Path dir) throws IOException {
    Path cfg = dir.resolve(CONFIG), weights = dir.resolve(WEIGHTS);
    recover(dir);
    if (!Files.isDirectory(dir)) throw new NoSuchFileException(dir + ": not a model directory (expected " + CONFIG + " and " + WEIGHTS + ")");
    JsonNode root;
    try {
      root = JSON.readTree(BoundedFiles.readString(cfg, MAX_CONFIG, "model config"));
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(cfg + ": missing; a model directory holds " + CONFIG + " and " + WEIGHTS);
    } catch (JacksonException e) {
      throw new IOException("load " + cfg + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
    }
    Sequential model = fromConfig(root, cfg);
    Map<String, Tensor> state = SafeTensors.read(weights);
    try {
      model.loadStateDict(state);
    } catch (IllegalArgumentException e) {
      throw new IOException(weights + ": " + e.getMessage(), e);
    }
    return model;
  }

  /**
   * The config.json tree of a built model.
   *
   * @param model a built model
   * @return the tree config.json holds
   */
  public static ObjectNode config(Sequential model) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format_version", FORMAT_VERSION);
    root.put("class", "Sequential");
    ArrayNode in = root.putArray("input_shape");
    for (int d : model.inputShape()) in.add(d);
    root.set("layers", layerList(model.layers()));
    return root;
  }

  private static ArrayNode layerList(List<Module> modules) {
    ArrayNode layers = JSON.createArrayNode();
    for (Module m : modules) {
      ObjectNode l = layers.addObject();
      l.put("class", m.getClass().getSimpleName());
      l.set("config", layerConfig(m));
    }
    return layers;
  }

  /** A Sequential of the layers a "layers" list describes, not built; errors name the layer's index. */
  private static Sequential sequentialOf(JsonNode layers, String prefix) {
    if (!layers.isArray()) throw new IllegalArgumentException(prefix + "layers must be a list, got " + clip(layers.toString()));
    // A 12 MB config of 600,000 Flatten layers would build 600,000 modules: the deepest real networks have hundreds.
    if (layers.size() > MAX_LAYERS)
      throw new IllegalArgumentException(prefix + "layers lists " + layers.size() + " layers; a config may declare at most "
          + MAX_LAYERS + " in one list");
    Sequential model = new Sequential();
    int i = 0;
    for (JsonNode l : layers) {
      try {
        model.add(layer(l.path("class").asText(), l.path("config")));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(prefix + "layers." + i + ": " + e.getMessage(), e);
      }
      i++;
    }
    return model;
  }

  /**
   * Rebuilds the (untrained) model a config.json describes.
   *
   * @param root the parsed config.json
   * @param where the file, for messages
   * @return the model, built for the saved input shape, with fresh weights
   * @throws IOException if the config is invalid or too large for the heap; the message names the file
   */
  public static Sequential fromConfig(JsonNode root, Path where) throws IOException {
    int version = root.path("format_version").asInt(-1);
    if (version < 1 || version > FORMAT_VERSION)
      throw new IOException(where + ": format_version " + clip(root.path("format_version").toString()) + " is not supported (this Neurite reads 1.."
          + FORMAT_VERSION + ")");
    if (!"Sequential".equals(root.path("class").asText()))
      throw new IOException(where + ": class \"" + clip(root.path("class").asText()) + "\" is not supported (expected Sequential)");
    Sequential model;
    try {
      model = sequentialOf(root.path("layers"), "");
    } catch (RuntimeException e) {
      throw new IOException(where + ": " + e.getMessage(), e);
    }
    int[] shape = inputShape(root, where);
    long params = estimateParameters(root);
    if (params < 0 || params > Integer.MAX_VALUE * 4L)
      throw new IOException(where + ": the layers describe more than 2^33 parameters; check the sizes in the config");
    try {
      Heap.require("build the model of " + where + " (about " + params + " parameters)", 4 * params);
      return model.input(shape);
    } catch (RuntimeException e) {
      throw new IOException(where + ": " + e.getMessage(), e);
    }
  }

  private static int[] inputShape(JsonNode root, Path where) throws IOException {
    JsonNode in = root.path("input_shape");
    if (!in.isArray() || in.size() > 8)
      throw new IOException(where + ": input_shape must be a list of at most 8 sizes, got " + clip(in.toString()));
    int[] shape = new int[in.size()];
    for (int k = 0; k < shape.length; k++) {
      JsonNode d = in.get(k);
      if (!d.isIntegralNumber() || !d.canConvertToInt() || d.asInt() < 1)
        throw new IOException(where + ": input_shape " + clip(in.toString()) + " must hold integers >= 1");
      shape[k] = d.asInt();
    }
    return shape;
  }

  /**
   * The number of parameters the config describes, from the layer sizes alone (nothing is built or
   * allocated), so that a config asking for more than the heap holds fails before allocating. Exact
   * for the built-in layers; a config it cannot follow (a bad shape) gives 0, leaving the error to the
   * layers themselves. Returns -1 on overflow.
   *
   * @param root the parsed config.json
   * @return the parameter count, 0 when it cannot be worked out, -1 on overflow
   */
  public static long estimateParameters(JsonNode root) {
    JsonNode in = root.path("input_shape");
    if (!in.isArray()) return 0;   // not a shape: the input_shape check reports it
    long[] s = new long[in.size()];
    for (int k = 0; k < s.length; k++) s[k] = Math.max(1, in.get(k).asLong());
    try {
      return estimate(root.path("layers"), s, 0).params();
    } catch (ArithmeticException e) {
      return -1;
    }
  }

  /** Parameters of a list of layers, and the per-sample shape after them (null once it cannot be followed). */
  private record Estimate(long params, long[] shape) {}

  private static final int MAX_NESTING = 16;
  /** The most layers one "layers" list may declare. */
  static final int MAX_LAYERS = 10_000;

  private static Estimate estimate(JsonNode layers, long[] shape, int depth) {
    long[] s = shape;
    long total = 0;
    if (depth > MAX_NESTING) return new Estimate(0, null);   // too deep to follow; the build has the last word
    {
      for (JsonNode l : layers) {
        JsonNode c = l.path("config");
        switch (l.path("class").asText()) {
          case "Dense" -> {
            if (s.length == 0) return new Estimate(total, null);
            long units = c.path("units").asLong(), fanIn = s[s.length - 1];
            total = Math.addExact(total, Math.addExact(Math.multiplyExact(units, fanIn), c.path("use_bias").asBoolean(true) ? units : 0));
            s[s.length - 1] = units;
          }
          case "Conv2D" -> {
            if (s.length != 3) return new Estimate(total, null);
            long f = c.path("filters").asLong(), k = c.path("kernel_size").asLong(), g = Math.max(1, c.path("groups").asLong(1));
            long stride = Math.max(1, c.path("strides").asLong(1)), dil = Math.max(1, c.path("dilation_rate").asLong(1));
            total = Math.addExact(total, Math.addExact(Math.multiplyExact(Math.multiplyExact(f, s[0] / g), Math.multiplyExact(k, k)),
                c.path("use_bias").asBoolean(true) ? f : 0));
            boolean same = "same".equals(c.path("padding").asText());
            long span = Math.multiplyExact(dil, k - 1), pad = 2 * Math.max(0, c.path("padding").asLong(0));
            s = new long[] {f, same ? (s[1] + stride - 1) / stride : (s[1] + pad - span - 1) / stride + 1,
                same ? (s[2] + stride - 1) / stride : (s[2] + pad - span - 1) / stride + 1};
          }
          case "MaxPool2D", "AvgPool2D" -> {
            if (s.length != 3) return new Estimate(total, null);
            long p = Math.max(1, c.path("pool_size").asLong(1)), stride = Math.max(1, c.path("strides").asLong(p));
            boolean same = "same".equals(c.path("padding").asText());
            s = new long[] {s[0], same ? (s[1] + stride - 1) / stride : (s[1] - p) / stride + 1,
                same ? (s[2] + stride - 1) / stride : (s[2] - p) / stride + 1};
          }
          case "BatchNorm" -> total = Math.addExact(total, Math.multiplyExact(4, s.length == 0 ? 0 : s[0]));
          case "Flatten" -> {
            long n = 1;
            for (long d : s) n = Math.multiplyExact(n, Math.max(0, d));
            s = new long[] {n};
          }
          case "GlobalAvgPool2D" -> s = new long[] {s.length == 0 ? 0 : s[0]};
          case "Embedding" -> {
            long v = c.path("vocab").asLong(), d = c.path("dim").asLong();
            total = Math.addExact(total, Math.multiplyExact(v, d));
            s = java.util.Arrays.copyOf(s, s.length + 1);
            s[s.length - 1] = d;
          }
          case "LSTM", "GRU", "SimpleRNN" -> {
            total = Math.addExact(total, recurrent(l.path("class").asText(), c, s, 1));
            s = recurrentOutput(c, s, 1);
          }
          case "Bidirectional" -> {
            JsonNode inner = c.path("layer");
            total = Math.addExact(total, recurrent(inner.path("class").asText(), inner.path("config"), s, 2));
            s = recurrentOutput(inner.path("config"), s, 2);
          }
          case "PositionalEmbedding", "PositionalEncoding" ->   // a [max_len, D] table, trained or fixed
            total = Math.addExact(total, Math.multiplyExact(c.path("max_len").asLong(), last(s)));
          case "LayerNorm" -> total = Math.addExact(total, 2 * last(s));
          case "AttentionPooling" -> {
            long a = c.path("attn_units").asLong(), d = last(s);
            total = Math.addExact(total, Math.addExact(Math.multiplyExact(a, d + 2), 1));
            if (s.length >= 2) s = new long[] {d};   // [T, D] -> [D]
          }
          case "MultiHeadAttention" -> {
            long d = c.path("d_model").asLong();
            total = Math.addExact(total, Math.multiplyExact(4 * d, d + 1));   // q, k, v and output projections
          }
          case "TransformerEncoderLayer" -> {
            long d = c.path("d_model").asLong(), ff = c.path("ff").asLong();
            total = Math.addExact(total, Math.addExact(Math.multiplyExact(4 * d, d + 1),
                Math.addExact(Math.multiplyExact(2 * d, ff), ff + d + 4 * d)));   // attention, feed-forward, two norms
          }
          case "Residual" -> {
            Estimate body = estimate(c.path("body"), s.clone(), depth + 1);
            if (c.path("shortcut").isArray()) total = Math.addExact(total, estimate(c.path("shortcut"), s.clone(), depth + 1).params());
            total = Math.addExact(total, body.params());
            if (body.shape() == null) return new Estimate(total, null);
            s = body.shape();
          }
          default -> { }
        }
        for (long d : s) if (d < 1) return new Estimate(total, null);   // the layer will reject this shape itself
      }
    }
    return new Estimate(total, s);
  }

  private static long last(long[] s) {
    return s.length == 0 ? 1 : s[s.length - 1];
  }

  /**
   * Parameters of a recurrent layer's stack (weights input-to-hidden and hidden-to-hidden, two biases,
   * per gate, layer and direction); the first layer reads the input, the others the layer below.
   */
  private static long recurrent(String cls, JsonNode c, long[] s, int directions) {
    long h = c.path("units").asLong(), in = last(s), layers = Math.max(1, c.path("layers").asLong(1));
    long gates = switch (cls) { case "LSTM" -> 4; case "GRU" -> 3; default -> 1; };
    long first = Math.multiplyExact(gates * h, Math.addExact(Math.addExact(in, h), 2));
    long rest = Math.multiplyExact(Math.multiplyExact(gates * h, Math.addExact(directions * h + h, 2)), layers - 1);
    return Math.multiplyExact(directions, Math.addExact(first, rest));
  }

  /** [T, D] -> [T, directions x units], or [directions x units] when only the last step is returned. */
  private static long[] recurrentOutput(JsonNode c, long[] s, int directions) {
    long w = Math.multiplyExact(directions, c.path("units").asLong());
    if (s.length == 0) return new long[] {w};
    if (s.length >= 2 && !c.path("return_sequences").asBoolean(false)) return new long[] {w};
    long[] out = s.clone();
    out[out.length - 1] = w;
    return out;
  }

  /**
   * {@code relative}, a path read from a model file, resolved inside {@code dir}; an absolute path,
   * one with {@code ..} that leaves the directory, or a link out of it is an {@link IOException}.
   * Every path a model file names goes through here, so a downloaded model cannot read or write
   * outside its own directory.
   *
   * @param dir the model directory
   * @param relative the path as the file names it
   * @return the resolved path, inside {@code dir}
   * @throws IOException if the path leaves the directory
   */
  public static Path resolveInside(Path dir, String relative) throws IOException {
    Path base = dir.toAbsolutePath().normalize();
    Path p;
    try {
      p = Path.of(relative);
    } catch (java.nio.file.InvalidPathException e) {
      throw new IOException(dir + ": the model names the invalid path \"" + clip(relative) + "\"", e);
    }
    Path r = base.resolve(p).normalize();
    if (p.isAbsolute() || relative.isEmpty() || !r.startsWith(base) || r.equals(base))
      throw new IOException(dir + ": the model names the path \"" + clip(relative) + "\", which is not a file inside its directory");
    if (Files.exists(r) && !r.toRealPath().startsWith(base.toRealPath()))
      throw new IOException(dir + ": the model names \"" + clip(relative) + "\", a link that leads outside its directory");
    return r;
  }

  private static String clip(String s) {
    return Messages.clip(s);
  }

  private static ObjectNode layerConfig(Module m) {
    ObjectNode c = JSON.createObjectNode();
    switch (m) {
      case Dense d -> {
        var k = d.config();
        c.put("units", k.units()).put("use_bias", k.useBias()).put("activation", k.activation().kerasName());
      }
      case Conv2D conv -> {
        var k = conv.config();
        c.put("filters", k.filters()).put("kernel_size", k.kernelSize()).put("strides", k.stride());
        if (k.explicitPadding() >= 0) c.put("padding", k.explicitPadding());
        else c.put("padding", lower(k.padding()));
        c.put("dilation_rate", k.dilation()).put("groups", k.groups())
            .put("use_bias", k.useBias()).put("activation", k.activation().kerasName());
      }
      case Pool2D p -> {
        var k = p.config();
        c.put("pool_size", k.poolSize()).put("strides", k.stride()).put("padding", lower(k.padding()));
      }
      case Dropout d -> c.put("rate", d.config().rate());
      case BatchNorm b -> c.put("momentum", b.config().momentum()).put("epsilon", b.config().eps());
      case ActivationLayer a -> c.put("activation", a.activation().kerasName());
      case Flatten f -> { }
      case GlobalAvgPool2D g -> { }
      case GlobalAvgPool1D g -> { }
      case Residual r -> {
        c.put("activation", r.activation().kerasName());
        c.set("body", layerList(r.body().layers()));
        if (r.shortcut() != null) c.set("shortcut", layerList(r.shortcut().layers()));
      }
      case Bidirectional b -> {
        ObjectNode inner = c.putObject("layer");
        inner.put("class", b.layer().getClass().getSimpleName());
        inner.set("config", layerConfig(b.layer()));
      }
      case Embedding e -> c.setAll((ObjectNode) RECORDS.valueToTree(e.config()));
      case LSTM r -> c.setAll((ObjectNode) RECORDS.valueToTree(r.config()));
      case GRU r -> c.setAll((ObjectNode) RECORDS.valueToTree(r.config()));
      case SimpleRNN r -> c.setAll((ObjectNode) RECORDS.valueToTree(r.config()));
      case AttentionPooling a -> c.setAll((ObjectNode) RECORDS.valueToTree(a.config()));
      case LayerNorm n -> c.setAll((ObjectNode) RECORDS.valueToTree(n.config()));
      case PositionalEmbedding pe -> c.setAll((ObjectNode) RECORDS.valueToTree(pe.config()));
      case PositionalEncoding pe -> c.setAll((ObjectNode) RECORDS.valueToTree(pe.config()));
      case MultiHeadAttention a -> c.setAll((ObjectNode) RECORDS.valueToTree(a.config()));
      case TransformerEncoderLayer t -> c.setAll((ObjectNode) RECORDS.valueToTree(t.config()));
      default -> throw new IllegalArgumentException("save: layer " + m + " (" + m.getClass().getName()
          + ") has no config format; only built-in layers can be saved in config.json");
    }
    return c;
  }

  private static Module layer(String cls, JsonNode c) {
    return switch (cls) {
      case "Dense" -> new Dense(req(c, "units").asInt(), c.path("use_bias").asBoolean(true)).activation(act(c));
      case "Conv2D" -> {
        Conv2D conv = new Conv2D(req(c, "filters").asInt(), req(c, "kernel_size").asInt()).stride(c.path("strides").asInt(1))
            .dilation(c.path("dilation_rate").asInt(1)).groups(c.path("groups").asInt(1))
            .useBias(c.path("use_bias").asBoolean(true)).activation(act(c));
        yield c.path("padding").isIntegralNumber() ? conv.padding(c.path("padding").asInt()) : conv.padding(pad(c));
      }
      case "MaxPool2D" -> new MaxPool2D(req(c, "pool_size").asInt(), c.path("strides").asInt(c.path("pool_size").asInt()), pad(c));
      case "AvgPool2D" -> new AvgPool2D(req(c, "pool_size").asInt(), c.path("strides").asInt(c.path("pool_size").asInt()), pad(c));
      case "Dropout" -> new Dropout((float) req(c, "rate").asDouble());
      case "BatchNorm" -> new BatchNorm((float) c.path("momentum").asDouble(0.1), (float) c.path("epsilon").asDouble(1e-5));
      case "ActivationLayer" -> new ActivationLayer(act(c));
      case "Flatten" -> new Flatten();
      case "GlobalAvgPool2D" -> new GlobalAvgPool2D();
      case "GlobalAvgPool1D" -> new GlobalAvgPool1D();
      case "Residual" -> new Residual(sequentialOf(req(c, "body"), "body."),
          c.path("shortcut").isMissingNode() || c.path("shortcut").isNull() ? null : sequentialOf(c.path("shortcut"), "shortcut."))
          .activation(act(c));
      case "Bidirectional" -> {
        Module inner = layer(req(c, "layer").path("class").asText(), c.path("layer").path("config"));
        if (!(inner instanceof RecurrentLayer r))
          throw new IllegalArgumentException("Bidirectional wraps a recurrent layer (LSTM, GRU, SimpleRNN), got \"" + clip(c.path("layer").path("class").asText()) + "\"");
        yield new Bidirectional(r);
      }
      // Sequence layers keep their Config record as it is, in snake_case.
      case "Embedding" -> Embedding.of(record(c, Embedding.Config.class));
      case "LSTM" -> LSTM.of(record(c, LSTM.Config.class));
      case "GRU" -> GRU.of(record(c, GRU.Config.class));
      case "SimpleRNN" -> SimpleRNN.of(record(c, SimpleRNN.Config.class));
      case "AttentionPooling" -> new AttentionPooling(record(c, AttentionPooling.Config.class).attnUnits());
      case "LayerNorm" -> new LayerNorm(record(c, LayerNorm.Config.class).eps());
      case "PositionalEmbedding" -> new PositionalEmbedding(record(c, PositionalEmbedding.Config.class).maxLen());
      case "PositionalEncoding" -> new PositionalEncoding(record(c, PositionalEncoding.Config.class).maxLen());
      case "MultiHeadAttention" -> {
        var k = record(c, MultiHeadAttention.Config.class);
        yield new MultiHeadAttention(k.dModel(), k.heads()).dropout(k.dropout());
      }
      case "TransformerEncoderLayer" -> {
        var k = record(c, TransformerEncoderLayer.Config.class);
        var t = new TransformerEncoderLayer(k.dModel(), k.heads(), k.ff()).dropout(k.dropout()).normFirst(k.normFirst());
        if (k.activation() == Activation.GELU) t.gelu();
        else if (k.activation() != Activation.RELU)
          throw new IllegalArgumentException("TransformerEncoderLayer: activation " + k.activation() + " is not relu or gelu");
        yield t;
      }
      default -> throw new IllegalArgumentException("unknown layer class \"" + clip(cls) + "\"");
    };
  }

  private static final ObjectMapper RECORDS = new ObjectMapper()
      .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private static <R extends Record> R record(JsonNode c, Class<R> type) {
    try {
      return RECORDS.treeToValue(c, type);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("config " + clip(c.toString()) + " does not fit " + type.getEnclosingClass().getSimpleName()
          + ": " + clip(e.getOriginalMessage()));
    }
  }

  private static JsonNode req(JsonNode c, String key) {
    JsonNode v = c.get(key);
    if (v == null || v.isNull()) throw new IllegalArgumentException("config is missing \"" + key + "\"");
    return v;
  }

  private static Activation act(JsonNode c) {
    String a = c.path("activation").asText("linear");
    try {
      return Activation.valueOf(a.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown activation \"" + clip(a) + "\"");
    }
  }

  private static Padding pad(JsonNode c) {
    String p = c.path("padding").asText("valid");
    try {
      return Padding.valueOf(p.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown padding \"" + clip(p) + "\" (expected valid or same)");
    }
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /** Writes a directory's contents into a temporary sibling, then swaps it into place. */
  public interface DirWriter {
    /**
     * Writes the directory's files into {@code tmp}.
     *
     * @param tmp the temporary directory, already created
     * @throws IOException if writing fails
     */
    void write(Path tmp) throws IOException;
  }

  /**
   * The swap: write everything into {@code .NAME.tmp-XXXX} (each file forced to disk), rename the old
   * directory to {@code .NAME.old-XXXX}, rename the new one into place, force the parent directory,
   * delete the old one. POSIX cannot swap two directories in one step, so a process killed between
   * the two renames leaves no {@code NAME} but a complete {@code .NAME.old-XXXX}: {@link #recover}
   * (run by every load and save) renames it back. Any other kill leaves NAME complete, old or new.
   *
   * @param dir the directory to replace
   * @param writer writes the new contents
   * @throws IOException if writing or renaming fails; {@code dir} is then left old or complete
   */
  public static void saveDirectory(Path dir, DirWriter writer) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    Path parent = abs.getParent();
    Files.createDirectories(parent);
    recover(abs);
    Path tmp = Files.createDirectory(parent.resolve("." + abs.getFileName() + ".tmp-" + AtomicFiles.randomSuffix()));
    try {
      writer.write(tmp);
      AtomicFiles.forceDirectory(tmp);
      if (Files.exists(abs)) {
        Path old = parent.resolve("." + abs.getFileName() + ".old-" + AtomicFiles.randomSuffix());
        Files.move(abs, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.forceDirectory(parent);
        deleteTree(old);
      } else {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.forceDirectory(parent);
      }
    } catch (IOException e) {
      deleteTree(tmp);
      throw new IOException("save " + dir + ": " + e.getMessage() + " (the previous files are unchanged)", e);
    } catch (RuntimeException | Error e) {
      deleteTree(tmp);
      throw e;
    }
  }

  /**
   * Repairs what a save killed half-way left beside {@code dir}: when {@code dir} is missing, the
   * newest complete {@code .NAME.old-*} copy is renamed back; leftover {@code .old-} copies are
   * deleted once {@code dir} exists, and {@code .tmp-} directories older than a minute (a live save
   * may own a younger one).
   *
   * @param dir the model directory
   * @throws IOException if a rename or a deletion fails
   */
  public static void recover(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    Path parent = abs.getParent();
    if (parent == null || !Files.isDirectory(parent)) return;
    String name = abs.getFileName().toString();
    java.util.List<Path> olds = new java.util.ArrayList<>(), tmps = new java.util.ArrayList<>();
    String prefix = "." + name + ".";
    try (var s = Files.newDirectoryStream(parent, p -> p.getFileName().toString().startsWith(prefix))) {
      for (Path p : s) {
        String n = p.getFileName().toString().substring(name.length() + 2);
        if (n.startsWith("old-") && Files.isDirectory(p)) olds.add(p);
        else if (n.startsWith("tmp-") && Files.isDirectory(p)) tmps.add(p);
      }
    }
    if (!Files.exists(abs)) {
      Path best = null;
      for (Path p : olds)
        if (Files.isRegularFile(p.resolve(CONFIG)) && Files.isRegularFile(p.resolve(WEIGHTS))
            && (best == null || Files.getLastModifiedTime(p).compareTo(Files.getLastModifiedTime(best)) > 0)) best = p;
      if (best != null) {
        Files.move(best, abs, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.forceDirectory(parent);
        olds.remove(best);
      }
    }
    if (Files.exists(abs)) for (Path p : olds) deleteTree(p);
    long cutoff = System.currentTimeMillis() - 60_000;
    for (Path p : tmps) if (Files.getLastModifiedTime(p).toMillis() < cutoff) deleteTree(p);
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
    }
  }
}
