package org.neurite.io;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neurite.nn.Sequential;
import org.neurite.optim.Optimizer;
import org.neurite.tensor.Tensor;

/**
 * A training checkpoint: a model directory ({@link ModelFiles}) plus {@code optimizer.safetensors}
 * (the optimizer's state: moments and step counts) and {@code training.json} (the next epoch to run,
 * the optimizer's class and learning rate, and the run's metadata such as its seed), so {@code fit}
 * resumes where it stopped. Written by the same directory swap as a model, so a process killed while
 * saving leaves the previous checkpoint loadable.
 *
 * <p>Thread-safe: static methods with no shared mutable state.
 */
public final class Checkpoints {
  /** The file names a checkpoint adds to a model directory: the optimizer state and the training progress. */
  public static final String OPTIMIZER = "optimizer.safetensors", TRAINING = "training.json";

  private Checkpoints() {}

  /**
   * What a checkpoint restores besides the weights; {@code info} is its saved metadata, {@code callbacks}
   * the state of each of the run's callbacks, in order ({@code Callback.state}).
   *
   * @param model the model, with the checkpoint's weights
   * @param nextEpoch the first epoch still to run
   * @param info the saved metadata
   * @param callbacks the saved states of the run's callbacks
   */
  public record Resume(Sequential model, int nextEpoch, Map<String, Object> info, List<CallbackState> callbacks) {
    /**
     * A resume point with no metadata.
     *
     * @param model the model
     * @param nextEpoch the first epoch still to run
     */
    public Resume(Sequential model, int nextEpoch) {
      this(model, nextEpoch, Map.of(), List.of());
    }
  }

  /**
   * One callback's state in a checkpoint.
   *
   * @param name the callback class's simple name
   * @param state what its {@code state()} returned
   */
  public record CallbackState(String name, Map<String, Double> state) {}

  /**
   * Saves a checkpoint: the model directory plus the optimizer state and the next epoch.
   *
   * @param dir the checkpoint directory, replaced as a whole
   * @param model the model
   * @param optimizer its optimizer, whose state is saved
   * @param nextEpoch the first epoch a resume runs
   * @throws IOException if a file cannot be written
   */
  public static void save(Path dir, Sequential model, Optimizer optimizer, int nextEpoch) throws IOException {
    save(dir, model, optimizer, nextEpoch, Map.of());
  }

  /**
   * As above, with the model's metadata (see {@link ModelFiles#save(Sequential, Path, Map)}), also kept in
   * training.json.
   *
   * @param dir the checkpoint directory, replaced as a whole
   * @param model the model
   * @param optimizer its optimizer, whose state is saved
   * @param nextEpoch the first epoch a resume runs
   * @param metadata more entries for config.json and training.json
   * @throws IOException if a file cannot be written
   */
  public static void save(Path dir, Sequential model, Optimizer optimizer, int nextEpoch, Map<String, Object> metadata)
      throws IOException {
    save(dir, model, optimizer, nextEpoch, metadata, List.of());
  }

  /** As above, with the run's callbacks' states ({@code train.Callbacks.states}), restored on resume. */
  public static void save(Path dir, Sequential model, Optimizer optimizer, int nextEpoch, Map<String, Object> metadata,
                          List<CallbackState> callbacks) throws IOException {
    ModelFiles.write(dir, ModelFiles.config(model, metadata), model.stateDict(), tmp -> {
      SafeTensors.write(tmp.resolve(OPTIMIZER), optimizer.state());
      ObjectNode t = ModelFiles.JSON.createObjectNode();
      t.put("format_version", ModelFiles.FORMAT_VERSION);
      t.put("next_epoch", nextEpoch);
      t.put("optimizer", optimizer.getClass().getSimpleName());
      t.put("learning_rate", optimizer.learningRate());
      if (!metadata.isEmpty()) t.set("metadata", ModelFiles.JSON.valueToTree(metadata));
      if (!callbacks.isEmpty()) {
        var list = t.putArray("callbacks");
        for (CallbackState c : callbacks) {
          ObjectNode o = list.addObject().put("class", c.name());
          ObjectNode st = o.putObject("state");
          // JSON has no NaN or infinity: those travel as strings ("-Infinity"), as Python's json writes them.
          c.state().forEach((k, v) -> { if (Double.isFinite(v)) st.put(k, v); else st.put(k, Double.toString(v)); });
        }
      }
      AtomicFiles.writeString(tmp.resolve(TRAINING), ModelFiles.JSON.writeValueAsString(t));
    });
  }

  /**
   * Loads the model of a checkpoint and restores {@code optimizer} (which must be of the saved class;
   * it is attached to the loaded model's parameters).
   *
   * @param dir the checkpoint directory
   * @param optimizer a new optimizer of the saved class, to restore
   * @return the loaded model, the next epoch and the metadata
   * @throws IOException if a file is missing or invalid, or the optimizer is of another class
   */
  public static Resume load(Path dir, Optimizer optimizer) throws IOException {
    Sequential model = ModelFiles.load(dir);
    JsonNode info = training(dir, optimizer);
    optimizer.attach(model.parameters());
    restoreOptimizer(dir, optimizer, info);
    return new Resume(model, nextEpoch(dir, info), metadata(info), callbackStates(dir, info));
  }

  /**
   * Restores a checkpoint into an existing model (same architecture: its config.json must match the
   * model's) and its attached optimizer, for {@code fit}'s resume.
   *
   * @param dir the checkpoint directory
   * @param model the model to load the weights into
   * @param optimizer the model's optimizer, to restore
   * @return {@code model}, the next epoch and the metadata
   * @throws IOException if a file is missing or invalid, or the checkpoint is of another model
   */
  public static Resume restore(Path dir, Sequential model, Optimizer optimizer) throws IOException {
    Sequential saved = ModelFiles.load(dir);
    if (!ModelFiles.config(saved).path("layers").equals(ModelFiles.config(model).path("layers"))
        || !ModelFiles.config(saved).path("input_shape").equals(ModelFiles.config(model).path("input_shape")))
      throw new IOException(dir + ": the checkpoint is of another model (" + saved + "), not " + model);
    JsonNode info = training(dir, optimizer);
    model.loadStateDict(saved.stateDict());
    optimizer.attach(model.parameters());
    restoreOptimizer(dir, optimizer, info);
    return new Resume(model, nextEpoch(dir, info), metadata(info), callbackStates(dir, info));
  }

  /**
   * The metadata saved in a checkpoint's training.json (empty when there is none).
   *
   * @param dir the checkpoint directory
   * @return the metadata
   * @throws IOException if training.json cannot be read or parsed
   */
  public static Map<String, Object> info(Path dir) throws IOException {
    ModelFiles.recover(dir);
    return metadata(readTraining(dir));
  }

  private static JsonNode readTraining(Path dir) throws IOException {
    Path t = dir.resolve(TRAINING);
    try {
      JsonNode n = ModelFiles.JSON.readTree(BoundedFiles.readString(t, 1 << 20, "training state"));
      if (n == null || !n.isObject()) throw new IOException(t + ": expected a JSON object");
      return n;
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(t + ": missing; " + dir + " is a saved model, not a training checkpoint");
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IOException(t + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
  }

  private static JsonNode training(Path dir, Optimizer optimizer) throws IOException {
    JsonNode info = readTraining(dir);
    String cls = info.path("optimizer").asText();
    if (!cls.equals(optimizer.getClass().getSimpleName()))
      throw new IOException(dir.resolve(TRAINING) + ": the checkpoint was trained with " + cls + ", resuming with "
          + optimizer.getClass().getSimpleName());
    return info;
  }

  private static void restoreOptimizer(Path dir, Optimizer optimizer, JsonNode info) throws IOException {
    Map<String, Tensor> state = SafeTensors.read(dir.resolve(OPTIMIZER));
    try {
      optimizer.loadState(state);
      float lr = (float) info.path("learning_rate").asDouble(optimizer.learningRate());
      if (lr >= 0 && Float.isFinite(lr)) optimizer.setLearningRate(lr);
    } catch (IllegalArgumentException e) {
      throw new IOException(dir.resolve(OPTIMIZER) + ": " + e.getMessage(), e);
    }
  }

  private static int nextEpoch(Path dir, JsonNode info) throws IOException {
    JsonNode e = info.path("next_epoch");
    if (!e.canConvertToInt() || e.asInt() < 0)
      throw new IOException(dir.resolve(TRAINING) + ": next_epoch must be an integer >= 0, got " + e);
    return e.asInt();
  }

  private static List<CallbackState> callbackStates(Path dir, JsonNode info) throws IOException {
    List<CallbackState> out = new ArrayList<>();
    for (JsonNode c : info.path("callbacks")) {
      Map<String, Double> st = new LinkedHashMap<>();
      for (var it = c.path("state").properties().iterator(); it.hasNext(); ) {
        var e = it.next();
        JsonNode v = e.getValue();
        try {
          st.put(e.getKey(), v.isNumber() ? v.asDouble() : Double.parseDouble(v.asText()));
        } catch (NumberFormatException bad) {
          throw new IOException(dir.resolve(TRAINING) + ": callback " + Messages.clip(c.path("class").asText()) + " state \""
              + Messages.clip(e.getKey()) + "\" is " + Messages.clip(v.toString()) + "; expected a number");
        }
      }
      out.add(new CallbackState(c.path("class").asText(), st));
    }
    return out;
  }

  private static Map<String, Object> metadata(JsonNode info) {
    JsonNode m = info.path("metadata");
    if (!m.isObject()) return Map.of();
    return ModelFiles.JSON.convertValue(m, new TypeReference<LinkedHashMap<String, Object>>() {});
  }
}
