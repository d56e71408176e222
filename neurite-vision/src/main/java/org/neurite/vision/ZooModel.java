package org.neurite.vision;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neurite.io.ModelFiles;
import org.neurite.nn.Sequential;
import org.neurite.tensor.Tensor;

/**
 * A zoo network: the model, its name, the preprocessing its inputs need, and the torchvision name of
 * each of its layers with parameters ({@code "layers.4.body.layers.0"} is {@code "layer1.0.conv1"}).
 *
 * <p>Immutable record (its name table is copied), but its model is a {@link org.neurite.nn.Module} and not
 * thread-safe.
 *
 * @param name the zoo name, such as {@code "resnet18"}
 * @param model the network
 * @param preprocessing what its inputs need
 * @param torchNames torchvision's name for each Neurite module path with parameters
 */
public record ZooModel(String name, Sequential model, Preprocessing preprocessing, Map<String, String> torchNames) {
  /**
   * Copies the name table.
   *
   * @param name the zoo name
   * @param model the network
   * @param preprocessing what its inputs need
   * @param torchNames torchvision's name for each module path, copied
   */
  public ZooModel {
    torchNames = Map.copyOf(torchNames);
  }

  /**
   * Loads weights named as torchvision names them (a PyTorch {@code state_dict} saved as
   * safetensors, or the initializers of an ONNX export made without constant folding). Every tensor
   * of the model must be there with its shape; extra ones (torchvision's own classifier when the
   * model has another, say) are an error too, naming them, unless {@code skip} names their prefix.
   *
   * @param weights tensors by torchvision name
   * @param skip prefixes of torchvision names to leave alone: not copied, and neither missing nor extra
   * @return this
   * @throws IllegalArgumentException if a tensor is missing, has another shape, or has no place in the model
   */
  public ZooModel loadTorchWeights(Map<String, Tensor> weights, String... skip) {
    Map<String, Tensor> mine = model.stateDict();
    Map<String, String> names = torchStateNames();
    java.util.Set<String> used = new java.util.HashSet<>();
    for (var e : names.entrySet()) {
      Tensor src = weights.get(e.getValue());
      if (src == null) {
        // BatchNorm's step counter is not a weight: ONNX files and old PyTorch checkpoints lack it (as PyTorch allows).
        if (skipped(e.getValue(), skip) || e.getValue().endsWith(".num_batches_tracked")) continue;
        throw new IllegalArgumentException("weights: \"" + e.getValue() + "\" (for " + e.getKey() + ") is missing"
            + (weights.keySet().stream().anyMatch(k -> k.startsWith("onnx::")) ? "; the file looks like an ONNX export with "
            + "constant folding, which fuses BatchNorm into the convolutions and loses these names: export with "
            + "do_constant_folding=False, or load the graph as it is with Onnx.load" : ""));
      }
      used.add(e.getValue());
      if (skipped(e.getValue(), skip)) continue;
      Zoo.copy(mine, e.getKey(), src, e.getValue());
    }
    List<String> extra = weights.keySet().stream().filter(k -> !used.contains(k) && !skipped(k, skip)).sorted().toList();
    if (!extra.isEmpty())
      throw new IllegalArgumentException("weights: " + extra.size() + " tensors have no place in " + name + ": "
          + org.neurite.io.Messages.clip(String.join(", ", extra)));
    return this;
  }

  private static boolean skipped(String name, String[] skip) {
    for (String s : skip) if (name.equals(s) || name.startsWith(s + ".")) return true;
    return false;
  }

  /**
   * Every tensor of the model's state_dict, by Neurite name, with its torchvision name.
   *
   * @return Neurite state_dict name to torchvision name, in state_dict order
   * @throws IllegalStateException if a module with parameters has no torchvision name
   */
  public Map<String, String> torchStateNames() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : model.stateDict().keySet()) {
      int dot = k.lastIndexOf('.');
      String module = k.substring(0, dot);
      String torch = torchNames.get(module);
      if (torch == null)
        throw new IllegalStateException(name + ": no torchvision name for " + module);
      out.put(k, torch + k.substring(dot));
    }
    return out;
  }

  /**
   * Saves the model with its name and preprocessing (and {@code extra} metadata) as a Neurite model
   * directory.
   *
   * @param dir the model directory to write
   * @param extra more metadata entries, written after the name and preprocessing
   * @throws IOException if a file cannot be written
   */
  public void save(Path dir, Map<String, Object> extra) throws IOException {
    Map<String, Object> meta = new LinkedHashMap<>(preprocessing.metadata());
    meta.put("model", name);
    meta.putAll(extra);
    ModelFiles.save(model, dir, meta);
  }
}
