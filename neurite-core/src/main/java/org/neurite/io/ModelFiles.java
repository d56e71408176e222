package org.neurite.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.neurite.nn.Activation;
import org.neurite.nn.ActivationLayer;
import org.neurite.nn.AvgPool2D;
import org.neurite.nn.BatchNorm;
import org.neurite.nn.Conv2D;
import org.neurite.nn.Dense;
import org.neurite.nn.Dropout;
import org.neurite.nn.Flatten;
import org.neurite.nn.GlobalAvgPool2D;
import org.neurite.nn.MaxPool2D;
import org.neurite.nn.Module;
import org.neurite.nn.Padding;
import org.neurite.nn.Pool2D;
import org.neurite.nn.Sequential;
import org.neurite.tensor.Tensor;

/**
 * A saved model is a directory (contract 4 in DESIGN.md): {@code config.json} (format_version, the
 * input shape and one {"class", "config"} per layer, with Keras' key names) and
 * {@code model.safetensors} (the state_dict: {@code layers.0.weight}, ...), readable by PyTorch's
 * safetensors. Saving writes a sibling temporary directory and renames it into place, so a crash
 * leaves either the old model or the new one, never a mix.
 */
public final class ModelFiles {
  public static final int FORMAT_VERSION = 1;
  public static final String CONFIG = "config.json", WEIGHTS = "model.safetensors";
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ModelFiles() {}

  /** Saves a built model to {@code dir}, replacing what was there. */
  public static void save(Sequential model, Path dir) throws IOException {
    save(model, dir, Map.of());
  }

  /**
   * Saves with {@code metadata} (class names, preprocessing, ...) kept under "metadata" in
   * config.json; {@link #metadata} reads it back.
   */
  public static void save(Sequential model, Path dir, Map<String, Object> metadata) throws IOException {
    if (!model.isBuilt())
      throw new IllegalStateException("save: the model is not built; call input(...) or run it on a batch first");
    saveDirectory(dir, tmp -> writeModel(tmp, model, metadata));
  }

  static void writeModel(Path tmp, Sequential model, Map<String, Object> metadata) throws IOException {
    ObjectNode cfg = config(model);
    if (!metadata.isEmpty()) cfg.set("metadata", JSON.valueToTree(metadata));
    Files.writeString(tmp.resolve(CONFIG), JSON.writeValueAsString(cfg));
    SafeTensors.write(tmp.resolve(WEIGHTS), model.stateDict());
  }

  /** The "metadata" object of a saved model's config.json (empty when there is none). */
  public static JsonNode metadata(Path dir) throws IOException {
    try {
      return JSON.readTree(Files.readString(dir.resolve(CONFIG))).path("metadata");
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(dir.resolve(CONFIG) + ": missing; a model directory holds " + CONFIG + " and " + WEIGHTS);
    }
  }

  /** Loads a model saved by {@link #save}; errors name the file and what is wrong with it. */
  public static Sequential load(Path dir) throws IOException {
    Path cfg = dir.resolve(CONFIG), weights = dir.resolve(WEIGHTS);
    if (!Files.isDirectory(dir)) throw new NoSuchFileException(dir + ": not a model directory (expected " + CONFIG + " and " + WEIGHTS + ")");
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(cfg));
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(cfg + ": missing; a model directory holds " + CONFIG + " and " + WEIGHTS);
    } catch (IOException e) {
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

  /** The config.json tree of a built model. */
  public static ObjectNode config(Sequential model) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format_version", FORMAT_VERSION);
    root.put("class", "Sequential");
    ArrayNode in = root.putArray("input_shape");
    for (int d : model.inputShape()) in.add(d);
    ArrayNode layers = root.putArray("layers");
    for (Module m : model.layers()) {
      ObjectNode l = layers.addObject();
      l.put("class", m.getClass().getSimpleName());
      l.set("config", layerConfig(m));
    }
    return root;
  }

  /** Rebuilds the (untrained) model a config.json describes. */
  public static Sequential fromConfig(JsonNode root, Path where) throws IOException {
    int version = root.path("format_version").asInt(-1);
    if (version < 1 || version > FORMAT_VERSION)
      throw new IOException(where + ": format_version " + root.path("format_version") + " is not supported (this Neurite reads 1.."
          + FORMAT_VERSION + ")");
    if (!"Sequential".equals(root.path("class").asText()))
      throw new IOException(where + ": class \"" + root.path("class").asText() + "\" is not supported (expected Sequential)");
    Sequential model = new Sequential();
    int i = 0;
    for (JsonNode l : root.path("layers")) {
      try {
        model.add(layer(l.path("class").asText(), l.path("config")));
      } catch (RuntimeException e) {
        throw new IOException(where + ": layers." + i + ": " + e.getMessage(), e);
      }
      i++;
    }
    JsonNode in = root.path("input_shape");
    int[] shape = new int[in.size()];
    for (int k = 0; k < shape.length; k++) shape[k] = in.get(k).asInt();
    try {
      return model.input(shape);
    } catch (RuntimeException e) {
      throw new IOException(where + ": " + e.getMessage(), e);
    }
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
        c.put("filters", k.filters()).put("kernel_size", k.kernelSize()).put("strides", k.stride())
            .put("padding", lower(k.padding())).put("dilation_rate", k.dilation()).put("groups", k.groups())
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
      default -> throw new IllegalArgumentException("save: layer " + m + " (" + m.getClass().getName()
          + ") has no config format; only built-in layers can be saved in config.json");
    }
    return c;
  }

  private static Module layer(String cls, JsonNode c) {
    return switch (cls) {
      case "Dense" -> new Dense(req(c, "units").asInt(), c.path("use_bias").asBoolean(true)).activation(act(c));
      case "Conv2D" -> new Conv2D(req(c, "filters").asInt(), req(c, "kernel_size").asInt()).stride(c.path("strides").asInt(1))
          .padding(pad(c)).dilation(c.path("dilation_rate").asInt(1)).groups(c.path("groups").asInt(1))
          .useBias(c.path("use_bias").asBoolean(true)).activation(act(c));
      case "MaxPool2D" -> new MaxPool2D(req(c, "pool_size").asInt(), c.path("strides").asInt(c.path("pool_size").asInt()), pad(c));
      case "AvgPool2D" -> new AvgPool2D(req(c, "pool_size").asInt(), c.path("strides").asInt(c.path("pool_size").asInt()), pad(c));
      case "Dropout" -> new Dropout((float) req(c, "rate").asDouble());
      case "BatchNorm" -> new BatchNorm((float) c.path("momentum").asDouble(0.1), (float) c.path("epsilon").asDouble(1e-5));
      case "ActivationLayer" -> new ActivationLayer(act(c));
      case "Flatten" -> new Flatten();
      case "GlobalAvgPool2D" -> new GlobalAvgPool2D();
      default -> throw new IllegalArgumentException("unknown layer class \"" + cls + "\"");
    };
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
      throw new IllegalArgumentException("unknown activation \"" + a + "\"");
    }
  }

  private static Padding pad(JsonNode c) {
    String p = c.path("padding").asText("valid");
    try {
      return Padding.valueOf(p.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown padding \"" + p + "\" (expected valid or same)");
    }
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /** Writes a directory's contents into a temporary sibling, then swaps it into place. */
  interface DirWriter {
    void write(Path tmp) throws IOException;
  }

  static void saveDirectory(Path dir, DirWriter writer) throws IOException {
    Path abs = dir.toAbsolutePath();
    Path parent = abs.getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempDirectory(parent, "." + abs.getFileName() + ".tmp-");
    try {
      writer.write(tmp);
      if (Files.exists(abs)) {
        Path old = Files.createTempDirectory(parent, "." + abs.getFileName() + ".old-");
        Files.delete(old);
        Files.move(abs, old);
        Files.move(tmp, abs);
        deleteTree(old);
      } else {
        Files.move(tmp, abs);
      }
    } catch (IOException e) {
      deleteTree(tmp);
      throw new IOException("save " + dir + ": " + e.getMessage() + " (the previous files are unchanged)", e);
    } catch (RuntimeException e) {
      deleteTree(tmp);
      throw e;
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
    }
  }
}
