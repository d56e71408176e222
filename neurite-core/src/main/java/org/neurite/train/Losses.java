package org.neurite.train;

import org.neurite.autograd.Node;
import org.neurite.ops.Functional;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;

/**
 * The losses, with Keras' names and defaults. Cross-entropies on probabilities (after a softmax or
 * sigmoid layer, Keras' {@code from_logits=False}) are computed from the logits when the graph shows
 * the activation that made them, as Keras does, so they stay exact when a probability rounds to 0.
 *
 * <p>Thread-safe: static factories of stateless, thread-safe losses.
 */
public final class Losses {
  private static final float EPS = 1e-7f;   // Keras' backend epsilon, for clipping probabilities

  private Losses() {}

  /**
   * Targets are class indices {@code [N]}; outputs are probabilities {@code [N, C]} (a softmax layer).
   *
   * @return the loss
   */
  public static Loss sparseCategoricalCrossentropy() {
    return sparseCategoricalCrossentropy(false);
  }

  /**
   * As above; with {@code fromLogits} the outputs are unnormalised scores.
   *
   * @param fromLogits whether the outputs are logits rather than probabilities
   * @return the loss
   */
  public static Loss sparseCategoricalCrossentropy(boolean fromLogits) {
    return new Loss() {
      public Tensor compute(Tensor out, Tensor target, Tensor w) {
        checkBatch("sparse_categorical_crossentropy", out, target);
        Tensor logits = fromLogits ? out : logitsBehind(out, "softmax");
        if (logits != null && w == null) return Functional.crossEntropy(logits, target);
        // -log p[label]; from probabilities, p is clipped away from 0 as Keras does.
        Tensor logp = logits != null ? logits.logSoftmax(-1) : out.clamp(EPS, 1 - EPS).log();
        return weightedMean(logp.gather(1, target.reshape(-1, 1)).reshape(-1), w).neg();
      }

      public String name() {
        return "sparse_categorical_crossentropy";
      }
    };
  }

  /**
   * As above, with the target spread as {@code (1 - labelSmoothing)} on the label plus
   * {@code labelSmoothing / C} on every class: PyTorch's {@code CrossEntropyLoss(label_smoothing=...)}
   * (Szegedy et al., 2016, "Rethinking the Inception Architecture"). 0 is the plain loss.
   */
  public static Loss sparseCategoricalCrossentropy(boolean fromLogits, float labelSmoothing) {
    if (!(labelSmoothing >= 0 && labelSmoothing < 1))
      throw new IllegalArgumentException("sparse_categorical_crossentropy: labelSmoothing (" + labelSmoothing + ") must be in [0, 1)");
    if (labelSmoothing == 0) return sparseCategoricalCrossentropy(fromLogits);
    return new Loss() {
      public Tensor compute(Tensor out, Tensor target, Tensor w) {
        checkBatch("sparse_categorical_crossentropy", out, target);
        Tensor logits = fromLogits ? out : logitsBehind(out, "softmax");
        Tensor logp = logits != null ? logits.logSoftmax(-1) : out.clamp(EPS, 1 - EPS).log();   // [N, C]
        // -((1 - e) log p[label] + e * mean_c log p[c])
        Tensor picked = logp.gather(1, target.reshape(-1, 1)).reshape(-1).mul(1 - labelSmoothing);
        return weightedMean(picked.add(logp.mean(false, -1).mul(labelSmoothing)), w).neg();
      }

      public String name() {
        return "sparse_categorical_crossentropy";
      }
    };
  }

  /**
   * Targets are one-hot or probability rows {@code [N, C]}.
   *
   * @param fromLogits whether the outputs are logits rather than probabilities
   * @return the loss
   */
  public static Loss categoricalCrossentropy(boolean fromLogits) {
    return new Loss() {
      public Tensor compute(Tensor out, Tensor target, Tensor w) {
        checkSame("categorical_crossentropy", out, target);
        Tensor logits = fromLogits ? out : logitsBehind(out, "softmax");
        Tensor logp = logits != null ? logits.logSoftmax(-1) : out.clamp(EPS, 1 - EPS).log();
        return weightedMean(logp.mul(target).sum(false, -1), w).neg();
      }

      public String name() {
        return "categorical_crossentropy";
      }
    };
  }

  /**
   * Targets are 0/1 (or probabilities) shaped like the output.
   *
   * @param fromLogits whether the outputs are logits rather than probabilities
   * @return the loss
   */
  public static Loss binaryCrossentropy(boolean fromLogits) {
    return new Loss() {
      public Tensor compute(Tensor out, Tensor target, Tensor w) {
        checkSame("binary_crossentropy", out, target);
        Tensor z = fromLogits ? out : logitsBehind(out, "sigmoid");
        if (z != null) {
          // max(z, 0) - z t + log(1 + exp(-|z|)): stable for any z.
          return weightedMean(perSample(z.relu().sub(z.mul(target)).add(z.abs().neg().exp().add(1f).log())), w);
        }
        Tensor p = out.clamp(EPS, 1 - EPS);
        return weightedMean(perSample(target.mul(p.log()).add(target.neg().add(1f).mul(p.neg().add(1f).log()))), w).neg();
      }

      public String name() {
        return "binary_crossentropy";
      }
    };
  }

  /**
   * Mean squared error.
   *
   * @return the loss
   */
  public static Loss meanSquaredError() {
    return new Loss() {
      public Tensor compute(Tensor out, Tensor target, Tensor w) {
        checkSame("mean_squared_error", out, target);
        Tensor d = out.sub(target);
        return weightedMean(perSample(d.mul(d)), w);
      }

      public String name() {
        return "mean_squared_error";
      }
    };
  }

  /**
   * The loss of that name, as written in config.json.
   *
   * @param name the Keras name, such as {@code "sparse_categorical_crossentropy"}
   * @return the loss
   * @throws IllegalArgumentException if the name is unknown
   */
  public static Loss byName(String name) {
    return switch (name) {
      case "sparse_categorical_crossentropy" -> sparseCategoricalCrossentropy();
      case "categorical_crossentropy" -> categoricalCrossentropy(false);
      case "binary_crossentropy" -> binaryCrossentropy(false);
      case "mean_squared_error", "mse" -> meanSquaredError();
      default -> throw new IllegalArgumentException("unknown loss \"" + name + "\"; known: sparse_categorical_crossentropy, "
          + "categorical_crossentropy, binary_crossentropy, mean_squared_error");
    };
  }

  // Mean over all but the batch axis: one loss per sample.
  private static Tensor perSample(Tensor t) {
    return t.rank() <= 1 ? t : t.reshape(t.shape(0), -1).mean(false, 1);
  }

  private static Tensor weightedMean(Tensor perSample, Tensor w) {
    return (w == null ? perSample : perSample.mul(w)).mean();
  }

  // The input of the activation that produced out, when the graph recorded it.
  private static Tensor logitsBehind(Tensor out, String op) {
    Node n = out.gradFn();
    return n != null && n.op().equals(op) ? n.inputs()[0] : null;
  }

  private static void checkBatch(String loss, Tensor out, Tensor target) {
    if (out.rank() != 2 || target.rank() != 1 || target.shape(0) != out.shape(0))
      throw new IllegalArgumentException(loss + ": expected outputs [N, C] and class indices [N], got outputs "
          + Shape.str(out.shape()) + " and targets " + Shape.str(target.shape()));
  }

  private static void checkSame(String loss, Tensor out, Tensor target) {
    if (!Shape.same(out.shape(), target.shape()))
      throw new IllegalArgumentException(loss + ": outputs " + Shape.str(out.shape()) + " and targets "
          + Shape.str(target.shape()) + " must have the same shape");
  }
}
