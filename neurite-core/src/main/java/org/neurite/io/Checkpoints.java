package org.neurite.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.neurite.nn.Sequential;
import org.neurite.optim.Optimizer;

/**
 * A training checkpoint: a model directory ({@link ModelFiles}) plus {@code optimizer.safetensors}
 * (the optimizer's state) and {@code training.json} (the next epoch to run, the optimizer's class and
 * learning rate), so {@code fit} resumes where it stopped. Written atomically like a model.
 */
public final class Checkpoints {
  public static final String OPTIMIZER = "optimizer.safetensors", TRAINING = "training.json";

  private Checkpoints() {}

  /** What a checkpoint restores besides the weights. */
  public record Resume(Sequential model, int nextEpoch) {}

  public static void save(Path dir, Sequential model, Optimizer optimizer, int nextEpoch) throws IOException {
    save(dir, model, optimizer, nextEpoch, Map.of());
  }

  /** As above, with the model's metadata (see {@link ModelFiles#save(Sequential, Path, Map)}). */
  public static void save(Path dir, Sequential model, Optimizer optimizer, int nextEpoch, Map<String, Object> metadata)
      throws IOException {
    ModelFiles.saveDirectory(dir, tmp -> {
      ModelFiles.writeModel(tmp, model, metadata);
      SafeTensors.write(tmp.resolve(OPTIMIZER), optimizer.state());
      ObjectNode t = ModelFiles.JSON.createObjectNode();
      t.put("format_version", ModelFiles.FORMAT_VERSION);
      t.put("next_epoch", nextEpoch);
      t.put("optimizer", optimizer.getClass().getSimpleName());
      t.put("learning_rate", optimizer.learningRate());
      Files.writeString(tmp.resolve(TRAINING), ModelFiles.JSON.writeValueAsString(t));
    });
  }

  /**
   * Loads the model of a checkpoint and restores {@code optimizer} (which must be of the saved class;
   * it is attached to the loaded model's parameters).
   */
  public static Resume load(Path dir, Optimizer optimizer) throws IOException {
    Sequential model = ModelFiles.load(dir);
    Path t = dir.resolve(TRAINING);
    JsonNode info;
    try {
      info = ModelFiles.JSON.readTree(Files.readString(t));
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(t + ": missing; " + dir + " is a saved model, not a training checkpoint");
    }
    String cls = info.path("optimizer").asText();
    if (!cls.equals(optimizer.getClass().getSimpleName()))
      throw new IOException(t + ": the checkpoint was trained with " + cls + ", resuming with "
          + optimizer.getClass().getSimpleName());
    optimizer.attach(model.parameters());
    Map<String, org.neurite.tensor.Tensor> state = SafeTensors.read(dir.resolve(OPTIMIZER));
    try {
      optimizer.loadState(state);
    } catch (IllegalArgumentException e) {
      throw new IOException(dir.resolve(OPTIMIZER) + ": " + e.getMessage(), e);
    }
    optimizer.setLearningRate((float) info.path("learning_rate").asDouble(optimizer.learningRate()));
    return new Resume(model, info.path("next_epoch").asInt());
  }
}
