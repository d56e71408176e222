package org.neurite.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.neurite.autograd.GradMode;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;
import org.neurite.tensor.Workspace;

/**
 * Evaluation mode shared by concurrent callers, and batched prediction ({@link Module#predict}).
 *
 * <p>Thread-safe: many threads may predict with one model at once: the model is switched to evaluation
 * mode while any of them runs and back when the last one ends, grad mode is per thread, and kernels keep
 * their scratch memory per thread. Not safe while the same model trains.
 */
public final class Inference {
  // Per model: how many callers hold evaluation mode now, and whether the model was training before the first.
  private static final Map<Module, int[]> EVALUATING = new WeakHashMap<>();

  private Inference() {}

  /**
   * Evaluation mode for {@code model} until the scope closes; the model returns to training mode when the
   * last open scope on it closes, if it was training before the first. Grad mode is left as it is (an
   * evaluation that wants the graph, for the loss, keeps it).
   *
   * @param model the model
   * @return the scope, to close (try-with-resources)
   */
  public static GradMode.Scope evalMode(Module model) {
    synchronized (EVALUATING) {
      int[] c = EVALUATING.computeIfAbsent(model, k -> new int[2]);
      if (c[0]++ == 0) {
        c[1] = model.isTraining() ? 1 : 0;
        if (model.isTraining()) model.eval();
      }
    }
    return () -> {
      synchronized (EVALUATING) {
        int[] c = EVALUATING.get(model);
        if (--c[0] == 0) {
          if (c[1] == 1) model.train(true);
          EVALUATING.remove(model);
        }
      }
    };
  }

  /**
   * {@link #evalMode} and no graph on this thread until the scope closes: what {@link #predict} runs in.
   *
   * @param model the model
   * @return the scope, to close (try-with-resources)
   */
  public static GradMode.Scope of(Module model) {
    GradMode.Scope eval = evalMode(model);
    GradMode.Scope off = GradMode.off();
    return () -> {
      off.close();
      eval.close();
    };
  }

  /**
   * Model outputs for inputs {@code [N, ...]}, computed in batches in evaluation mode without a graph.
   *
   * @param model the model
   * @param x the inputs {@code [N, ...]}
   * @param batchSize samples per forward pass
   * @return the outputs, {@code [N, ...]}
   */
  public static Tensor predict(Module model, Tensor x, int batchSize) {
    if (x.rank() == 0 || x.shape(0) == 0) throw new IllegalArgumentException("predict: no samples in " + Shape.str(x.shape()));
    if (!model.isBuilt()) {
      synchronized (model) {   // the lazy build creates the weights: once, not once per thread
        if (!model.isBuilt()) {
          model.buildFrom(x.slice(0, 0, 1).contiguous());
        }
      }
    }
    List<Tensor> parts = new ArrayList<>();
    Workspace ws = new Workspace();
    try (var g = of(model)) {
      for (int s = 0; s < x.shape(0); s += batchSize)
        try (var scope = ws.enter()) {
          parts.add(scope.keep(model.forward(x.slice(0, s, Math.min(x.shape(0), s + batchSize)).contiguous())));
        }
    }
    return parts.size() == 1 ? parts.get(0) : Tensor.concat(0, parts.toArray(new Tensor[0]));
  }
}
