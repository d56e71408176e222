package org.neurite.train;

import java.util.Locale;
import org.neurite.io.Heap;
import org.neurite.nn.Module;
import org.neurite.nn.Sequential;

/**
 * Fails before the first batch when the model and a batch will not fit in the heap, with the estimate
 * and the -Xmx to use (docs/RELIABILITY.md). Every {@code fit} runs one first.
 *
 * <p>Stateless; {@code fit} calls it on the training thread.
 */
final class HeapCheck implements Callback {
  /**
   * Weights, gradients and optimizer state (counted as four copies of the parameters, Adam's worst case)
   * plus a batch's activations (each layer's output, kept for the backward and matched by its gradient).
   */
  @Override
  public void onTrainBegin(Trainer trainer) {
    int batchSize = trainer.running().batchSize;
    Module model = trainer.model();
    long params = model.parameterCount();
    long acts = 0;
    if (model instanceof Sequential seq) {
      for (Module m : seq.layers()) {
        int[] s = m.outputShape();
        if (s == null) continue;
        long n = 1;
        for (int d : s) n *= d;
        acts += n;
      }
    }
    long bytes = 4 * (4 * params + 2 * acts * (long) batchSize);
    Heap.require("fit: " + String.format(Locale.ROOT, "%,d", params) + " parameters and batch size " + batchSize, bytes);
  }
}
