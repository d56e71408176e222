package org.neurite.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The one table of layer types: each type's name (the "class" of config.json), its module class, its
 * config record, how to read the record off a layer and how to build a layer from it. Saving, loading
 * and counting parameters ({@link Module#shapeOnly}) go through it, so a layer, built-in or a user's
 * {@link Module} subclass, is saveable once it is here. Not the file format ({@code io.ModelFiles}), and
 * not exporters to other formats (they keep their own tables, keyed by the same classes).
 *
 * <p>A composite layer also names its parts: lists of layers kept beside its record (Residual's "body"
 * and "shortcut", Bidirectional's "layer"), each saved as a list of layers of its own.
 *
 * <pre>{@code
 * Layers.register("Scale", Scale.class, Scale.Config.class, Scale::config, Scale::of);
 * ModelFiles.save(Sequential.of(new Dense(4), new Scale(2f)).input(3), dir);
 * }</pre>
 *
 * <p>Thread-safe: the table is a concurrent map; register types before saving or loading them.
 */
public final class Layers {
  /**
   * One layer type.
   *
   * @param <M> the layer's class
   * @param <C> its config record
   * @param name the type's name in config.json
   * @param layer the layer's class (exactly: a subclass needs a type of its own)
   * @param config the config record's class
   * @param describe the config of a layer
   * @param parts the parts of a composite layer, by name (empty for a plain layer)
   * @param build a new, unbuilt layer from its config and parts
   */
  public record Type<M extends Module, C extends Record>(String name, Class<M> layer, Class<C> config, Function<M, C> describe,
      Function<M, Map<String, List<Module>>> parts, BiFunction<C, Map<String, List<Module>>, M> build) {
    /**
     * The config record of {@code m}, a layer of this type.
     *
     * @param m the layer
     * @return its config
     */
    public Record configOf(Module m) {
      return describe.apply(layer.cast(m));
    }

    /**
     * The parts of {@code m}, a layer of this type, by name.
     *
     * @param m the layer
     * @return its parts (none for a plain layer)
     */
    public Map<String, List<Module>> partsOf(Module m) {
      return parts.apply(layer.cast(m));
    }

    /**
     * A new, unbuilt layer.
     *
     * @param c its config, of this type's record class
     * @param p its parts by name (a part may be missing: an optional part)
     * @return the layer
     */
    public M build(Record c, Map<String, List<Module>> p) {
      return build.apply(config.cast(c), p);
    }
  }

  private static final Map<String, Type<?, ?>> BY_NAME = new ConcurrentHashMap<>();
  private static final Map<Class<?>, Type<?, ?>> BY_CLASS = new ConcurrentHashMap<>();

  static {
    register("Dense", Dense.class, Dense.Config.class, Dense::config, Dense::of);
    register("Conv2D", Conv2D.class, Conv2D.Config.class, Conv2D::config, Conv2D::of);
    register("MaxPool2D", MaxPool2D.class, Pool2D.Config.class, MaxPool2D::config, MaxPool2D::of);
    register("AvgPool2D", AvgPool2D.class, Pool2D.Config.class, AvgPool2D::config, AvgPool2D::of);
    register("Dropout", Dropout.class, Dropout.Config.class, Dropout::config, Dropout::of);
    register("BatchNorm", BatchNorm.class, BatchNorm.Config.class, BatchNorm::config, BatchNorm::of);
    register("ActivationLayer", ActivationLayer.class, ActivationLayer.Config.class, ActivationLayer::config, ActivationLayer::of);
    register("Flatten", Flatten.class, Flatten.Config.class, Flatten::config, Flatten::of);
    register("GlobalAvgPool2D", GlobalAvgPool2D.class, GlobalAvgPool2D.Config.class, GlobalAvgPool2D::config, GlobalAvgPool2D::of);
    register("GlobalAvgPool1D", GlobalAvgPool1D.class, GlobalAvgPool1D.Config.class, GlobalAvgPool1D::config, GlobalAvgPool1D::of);
    register("Embedding", Embedding.class, Embedding.Config.class, Embedding::config, Embedding::of);
    register("LSTM", LSTM.class, LSTM.Config.class, LSTM::config, LSTM::of);
    register("GRU", GRU.class, GRU.Config.class, GRU::config, GRU::of);
    register("SimpleRNN", SimpleRNN.class, SimpleRNN.Config.class, SimpleRNN::config, SimpleRNN::of);
    register("AttentionPooling", AttentionPooling.class, AttentionPooling.Config.class, AttentionPooling::config, AttentionPooling::of);
    register("LayerNorm", LayerNorm.class, LayerNorm.Config.class, LayerNorm::config, LayerNorm::of);
    register("PositionalEmbedding", PositionalEmbedding.class, PositionTable.Config.class, PositionalEmbedding::config,
        PositionalEmbedding::of);
    register("PositionalEncoding", PositionalEncoding.class, PositionTable.Config.class, PositionalEncoding::config,
        PositionalEncoding::of);
    register("MultiHeadAttention", MultiHeadAttention.class, MultiHeadAttention.Config.class, MultiHeadAttention::config,
        MultiHeadAttention::of);
    register("TransformerEncoderLayer", TransformerEncoderLayer.class, TransformerEncoderLayer.Config.class,
        TransformerEncoderLayer::config, TransformerEncoderLayer::of);
    register(new Type<>("Residual", Residual.class, Residual.Config.class, Residual::config, r -> {
      Map<String, List<Module>> p = new LinkedHashMap<>();
      p.put("body", r.body().layers());
      if (r.shortcut() != null) p.put("shortcut", r.shortcut().layers());
      return p;
    }, (c, p) -> Residual.of(c, sequential(p, "body"), p.containsKey("shortcut") ? sequential(p, "shortcut") : null)));
    register(new Type<>("Bidirectional", Bidirectional.class, Bidirectional.Config.class, Bidirectional::config,
        b -> Map.of("layer", List.of(b.layer())), (c, p) -> {
          List<Module> inner = p.getOrDefault("layer", List.of());
          if (inner.size() != 1 || !(inner.get(0) instanceof RecurrentLayer r))
            throw new IllegalArgumentException("Bidirectional wraps one recurrent layer (LSTM, GRU, SimpleRNN), got " + inner);
          return new Bidirectional(r);
        }));
  }

  private Layers() {}

  private static Sequential sequential(Map<String, List<Module>> parts, String name) {
    List<Module> l = parts.get(name);
    if (l == null) throw new IllegalArgumentException("config is missing \"" + name + "\"");
    return Sequential.of(l.toArray(new Module[0]));
  }

  /**
   * Registers a plain layer type (no parts): a user's {@link Module} subclass becomes saveable.
   *
   * @param <M> the layer's class
   * @param <C> its config record
   * @param name the type's name in config.json
   * @param layer the layer's class
   * @param config the config record's class
   * @param describe the config of a layer
   * @param build a new, unbuilt layer from its config
   * @throws IllegalArgumentException if the name or the class is registered for another type
   */
  public static <M extends Module, C extends Record> void register(String name, Class<M> layer, Class<C> config,
                                                                   Function<M, C> describe, Function<C, M> build) {
    register(new Type<>(name, layer, config, describe, m -> Map.of(), (c, p) -> build.apply(c)));
  }

  /**
   * Registers a layer type, composite or not.
   *
   * @param type the type
   * @throws IllegalArgumentException if its name or class is registered for another type
   */
  public static synchronized void register(Type<?, ?> type) {
    Type<?, ?> byName = BY_NAME.get(type.name()), byClass = BY_CLASS.get(type.layer());
    if (byName != null && byName.layer() != type.layer())
      throw new IllegalArgumentException("Layers: \"" + type.name() + "\" already names " + byName.layer().getName());
    if (byClass != null && !byClass.name().equals(type.name()))
      throw new IllegalArgumentException("Layers: " + type.layer().getName() + " is already registered as \"" + byClass.name() + "\"");
    BY_NAME.put(type.name(), type);
    BY_CLASS.put(type.layer(), type);
  }

  /**
   * The type named {@code name} in config.json.
   *
   * @param name the type's name
   * @return the type, or null if no type has that name
   */
  public static Type<?, ?> byName(String name) {
    return BY_NAME.get(name);
  }

  /**
   * The type of {@code m} (its exact class).
   *
   * @param m a layer
   * @return its type
   * @throws IllegalArgumentException if its class is not registered
   */
  public static Type<?, ?> of(Module m) {
    Type<?, ?> t = BY_CLASS.get(m.getClass());
    if (t == null) throw new IllegalArgumentException("save: layer " + m + " (" + m.getClass().getName()
        + ") has no config format; register it with Layers.register(name, class, config record, describe, build)");
    return t;
  }
}
