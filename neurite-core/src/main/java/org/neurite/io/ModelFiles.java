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
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.neurite.nn.Layers;
import org.neurite.nn.Module;
import org.neurite.nn.Sequential;
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
  /**
   * The config.json format this version writes ({@code "format_version"}); 1 is read too. Version 2
   * writes each layer's config record as it is (snake_case keys), where version 1 used Keras' key names
   * for the image layers ({@link #upgradeV1}).
   */
  public static final int FORMAT_VERSION = 2;
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
    write(dir, config(model, metadata), model.stateDict(), null);
  }

  /** {@link #config(Sequential)} with {@code metadata} under "metadata" (none when empty). */
  static ObjectNode config(Sequential model, Map<String, Object> metadata) {
    ObjectNode cfg = config(model);
    if (!metadata.isEmpty()) cfg.set("metadata", JSON.valueToTree(metadata));
    return cfg;
  }

  /**
   * The one versioned writer of model directories (a Sequential's, a text classifier's, a translator's,
   * a checkpoint's): {@code config} stamped with the current {@link #FORMAT_VERSION} as config.json,
   * {@code state} as model.safetensors, and whatever {@code more} writes, all swapped into place together
   * ({@link #saveDirectory}).
   *
   * @param dir the model directory, replaced as a whole
   * @param config what config.json holds besides format_version ("class", the sizes, "metadata"...)
   * @param state the tensors of model.safetensors
   * @param more writes the directory's other files, or null
   * @throws IOException if a file cannot be written; the old directory, if any, is left as it was
   */
  public static void write(Path dir, ObjectNode config, Map<String, Tensor> state, DirWriter more) throws IOException {
    ObjectNode stamped = JSON.createObjectNode().put("format_version", FORMAT_VERSION);
    config.properties().forEach(e -> { if (!e.getKey().equals("format_version")) stamped.set(e.getKey(), e.getValue()); });
    String text = JSON.writeValueAsString(stamped);
    saveDirectory(dir, tmp -> {
      AtomicFiles.writeString(tmp.resolve(CONFIG), text);
      SafeTensors.write(tmp.resolve(WEIGHTS), state);
      if (more != null) more.write(tmp);
    });
  }

  /**
   * The one reader of config.json: bounded to {@code maxBytes}, parsed, and its format_version one this
   * version reads (1..{@link #FORMAT_VERSION}); what a version changed in a Sequential's layers is
   * upgraded by {@link #current}.
   *
   * @param dir the model directory
   * @param maxBytes the largest config.json accepted
   * @param what what the file holds, for messages ("model config")
   * @return the parsed config.json
   * @throws IOException if the file is missing, too large, not JSON or of an unknown version
   */
  public static JsonNode readConfig(Path dir, long maxBytes, String what) throws IOException {
    Path cfg = dir.resolve(CONFIG);
    recover(dir);
    if (!Files.isDirectory(dir)) throw new NoSuchFileException(dir + ": not a model directory (expected " + CONFIG + " and " + WEIGHTS + ")");
    JsonNode root;
    try {
      root = JSON.readTree(BoundedFiles.readString(cfg, maxBytes, what));
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(cfg + ": missing; a model directory holds " + CONFIG + " and " + WEIGHTS);
    } catch (JacksonException e) {
      throw new IOException("load " + cfg + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
    }
    if (root == null || !root.isObject()) throw new IOException("load " + cfg + ": expected a JSON object, got " + clip(String.valueOf(root)));
    int version = root.path("format_version").asInt(-1);
    if (version < 1 || version > FORMAT_VERSION)
      throw new IOException(cfg + ": format_version " + clip(root.path("format_version").toString()) + " is not supported (this Neurite reads 1.."
          + FORMAT_VERSION + ")");
    return root;
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
    Sequential model = fromConfig(readConfig(dir, MAX_CONFIG, "model config"), cfg);
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
      Layers.Type<?, ?> type = Layers.of(m);
      ObjectNode c = RECORDS.valueToTree(type.configOf(m));
      type.partsOf(m).forEach((name, part) -> c.set(name, layerList(part)));
      layers.addObject().put("class", type.name()).set("config", c);
    }
    return layers;
  }

  /** A Sequential of the layers a "layers" list describes, not built; errors name the layer's index. */
  private static Sequential sequentialOf(JsonNode layers, String prefix) {
    return Sequential.of(modulesOf(layers, prefix).toArray(new Module[0]));
  }

  private static List<Module> modulesOf(JsonNode layers, String prefix) {
    if (!layers.isArray()) throw new IllegalArgumentException(prefix + "layers must be a list, got " + clip(layers.toString()));
    // A 12 MB config of 600,000 Flatten layers would build 600,000 modules: the deepest real networks have hundreds.
    if (layers.size() > MAX_LAYERS)
      throw new IllegalArgumentException(prefix + "layers lists " + layers.size() + " layers; a config may declare at most "
          + MAX_LAYERS + " in one list");
    List<Module> out = new java.util.ArrayList<>();
    int i = 0;
    for (JsonNode l : layers) {
      try {
        out.add(layer(l, prefix + "layers." + i + "."));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(prefix + "layers." + i + ": " + e.getMessage(), e);
      }
      i++;
    }
    return out;
  }

  /**
   * The layer one {"class", "config"} entry describes, through the {@link Layers} table: the config's
   * fields are the type's record, and any list that is not one of its fields is a part (Residual's body).
   */
  private static Module layer(JsonNode l, String prefix) {
    String cls = l.path("class").asText();
    Layers.Type<?, ?> type = Layers.byName(cls);
    if (type == null)
      throw new IllegalArgumentException("unknown layer class \"" + clip(cls) + "\"; a custom layer loads once registered with Layers.register");
    JsonNode c = l.path("config");
    if (!c.isObject()) throw new IllegalArgumentException("config must be an object, got " + clip(c.toString()));
    ObjectNode fields = ((ObjectNode) c).deepCopy();
    java.util.Set<String> components = new java.util.HashSet<>();
    for (var rc : type.config().getRecordComponents()) components.add(SNAKE.translate(rc.getName()));
    Map<String, List<Module>> parts = new LinkedHashMap<>();
    for (var it = c.properties().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!components.contains(e.getKey()) && e.getValue().isArray()) {
        parts.put(e.getKey(), modulesOf(e.getValue(), prefix + e.getKey() + "."));
        fields.remove(e.getKey());
      }
    }
    return type.build(record(fields, type.config(), cls), parts);
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
    JsonNode r = current(root, where);
    if (!"Sequential".equals(r.path("class").asText()))
      throw new IOException(where + ": class \"" + clip(r.path("class").asText()) + "\" is not supported (expected Sequential)");
    Sequential model;
    try {
      model = sequentialOf(r.path("layers"), "");
    } catch (RuntimeException e) {
      throw new IOException(where + ": " + e.getMessage(), e);
    }
    int[] shape = inputShape(r, where);
    long params = estimateParameters(r);
    if (params < 0 || params > Integer.MAX_VALUE * 4L)
      throw new IOException(where + ": the layers describe more than 2^33 parameters; check the sizes in the config");
    try {
      Heap.require("build the model of " + where + " (about " + params + " parameters)", 4 * params);
      return model.input(shape);
    } catch (RuntimeException e) {
      throw new IOException(where + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@code root} in the current format: a version 1 config upgraded, a current one as it is.
   *
   * @param root a parsed config.json
   * @param where the file, for messages
   * @return the config in format {@link #FORMAT_VERSION}
   * @throws IOException if its format_version is not one this version reads
   */
  public static JsonNode current(JsonNode root, Path where) throws IOException {
    int version = root.path("format_version").asInt(-1);
    if (version < 1 || version > FORMAT_VERSION)
      throw new IOException(where + ": format_version " + clip(root.path("format_version").toString()) + " is not supported (this Neurite reads 1.."
          + FORMAT_VERSION + ")");
    return version == 1 ? upgradeV1(root) : root;
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
   * The number of parameter values the config describes (buffers and fixed tables included), from a
   * shape-only build ({@link Module#shapeOnly}: the layers run their own shape inference and nothing is
   * allocated), so that a config asking for more than the heap holds fails before allocating. Exact
   * for every layer in the {@link Layers} table; a config the layers refuse is counted as far as it goes,
   * leaving the error to the real build. Returns -1 on overflow.
   *
   * @param root the parsed config.json
   * @return the parameter count, 0 when it cannot be worked out, -1 on overflow
   */
  public static long estimateParameters(JsonNode root) {
    JsonNode r;
    int[] shape;
    try {
      r = current(root, null);
      shape = inputShape(r, null);
    } catch (IOException e) {
      return 0;   // the loader reports it
    }
    return Module.shapeOnly(() -> sequentialOf(r.path("layers"), "").buildFor(shape));
  }

  /** The most layers one "layers" list may declare. */
  static final int MAX_LAYERS = 10_000;

  // ---------------------------------------------------------------- the version 1 format

  /**
   * A version 1 config rewritten as version 2: version 1 wrote the image layers under Keras' key names
   * (strides, dilation_rate, epsilon, padding as a number or a word), left out keys at their defaults,
   * and wrapped Bidirectional's layer in an object; the sequence layers already wrote their records.
   */
  static JsonNode upgradeV1(JsonNode root) {
    if (!root.isObject()) return root;
    ObjectNode r = ((ObjectNode) root).deepCopy();
    r.put("format_version", FORMAT_VERSION);
    r.set("layers", upgradeLayers(root.path("layers")));
    return r;
  }

  private static JsonNode upgradeLayers(JsonNode layers) {
    if (!layers.isArray()) return layers;   // the reader reports it
    ArrayNode out = JSON.createArrayNode();
    for (JsonNode l : layers) out.add(upgradeLayer(l));
    return out;
  }

  private static JsonNode upgradeLayer(JsonNode l) {
    if (!l.isObject() || !(l.path("config").isObject() || l.path("config").isMissingNode())) return l;
    ObjectNode c = l.path("config").isObject() ? ((ObjectNode) l.get("config")).deepCopy() : JSON.createObjectNode();
    switch (l.path("class").asText()) {
      case "Dense" -> defaults(c, "use_bias", true, "activation", "linear");
      case "Conv2D" -> {
        rename(c, "strides", "stride");
        rename(c, "dilation_rate", "dilation");
        JsonNode p = c.remove("padding");
        boolean explicit = p != null && p.isIntegralNumber();
        c.set("padding", explicit || p == null ? c.textNode("valid") : p);
        c.set("explicit_padding", explicit ? p : c.numberNode(-1));
        defaults(c, "stride", 1, "dilation", 1, "groups", 1, "use_bias", true, "activation", "linear");
      }
      case "MaxPool2D", "AvgPool2D" -> {
        rename(c, "strides", "stride");
        if (!c.has("stride") && c.has("pool_size")) c.set("stride", c.get("pool_size"));
        defaults(c, "padding", "valid");
      }
      case "BatchNorm" -> {
        rename(c, "epsilon", "eps");
        defaults(c, "momentum", 0.1, "eps", 1e-5);
      }
      case "ActivationLayer", "Residual" -> defaults(c, "activation", "linear");
      case "Bidirectional" -> {
        JsonNode inner = c.remove("layer");
        if (inner != null) c.set("layer", JSON.createArrayNode().add(upgradeLayer(inner)));
      }
      default -> { }
    }
    if (c.path("shortcut").isNull()) c.remove("shortcut");
    for (String part : new String[] {"body", "shortcut"}) if (c.has(part)) c.set(part, upgradeLayers(c.get(part)));
    return JSON.createObjectNode().put("class", l.path("class").asText()).set("config", c);
  }

  private static void rename(ObjectNode c, String from, String to) {
    JsonNode v = c.remove(from);
    if (v != null && !c.has(to)) c.set(to, v);
  }

  /** Sets each (key, value) pair the config leaves out. */
  private static void defaults(ObjectNode c, Object... pairs) {
    for (int i = 0; i < pairs.length; i += 2)
      if (!c.has((String) pairs[i])) c.set((String) pairs[i], JSON.valueToTree(pairs[i + 1]));
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

  private static final com.fasterxml.jackson.databind.PropertyNamingStrategies.NamingBase SNAKE =
      (com.fasterxml.jackson.databind.PropertyNamingStrategies.NamingBase) com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE;

  /** Config records as config.json holds them: snake_case keys, enums in lower case (Keras' "relu", "same"), every field present. */
  private static final ObjectMapper RECORDS = new ObjectMapper()
      .setPropertyNamingStrategy(SNAKE)
      .configure(com.fasterxml.jackson.databind.MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS, true)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .registerModule(new com.fasterxml.jackson.databind.module.SimpleModule().addSerializer(Enum.class,
          new com.fasterxml.jackson.databind.ser.std.StdSerializer<Enum>(Enum.class) {
            @Override
            public void serialize(Enum e, com.fasterxml.jackson.core.JsonGenerator g, com.fasterxml.jackson.databind.SerializerProvider p)
                throws IOException {
              g.writeString(e.name().toLowerCase(Locale.ROOT));
            }
          }));

  private static <R extends Record> R record(JsonNode c, Class<R> type, String layer) {
    try {
      return RECORDS.treeToValue(c, type);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("config " + clip(c.toString()) + " does not fit " + layer + ": " + clip(e.getOriginalMessage()));
    }
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
