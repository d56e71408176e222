package org.neurite.examples;

import org.neurite.nn.Dense;
import org.neurite.nn.Module;
import org.neurite.nn.Sequential;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * The seed's fourth listing (a PyTorch attention module), line for line in Neurite: a custom Module
 * with three Linear layers, scores {@code V(tanh(W2 x))}, a softmax over time and the weighted sum.
 * The seed's input {@code randn(100, 100)} has no batch axis; here it is one batch of 100 steps of 100
 * features, {@code [1, 100, 100]}. (Neurite ships the same module as {@code nn.AttentionPooling},
 * with padding masks.)
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp neurite-cli/target/neurite.jar org.neurite.examples.SeedAttention}
 *
 * <p>Not thread-safe: a program to run from its {@code main}, once at a time.
 */
public final class SeedAttention {
  static final class Attention extends Module {
    final int hiddenSize, attnSize;
    final Dense W1, W2, V;

    Attention(int hiddenSize, int attnSize) {
      this.hiddenSize = hiddenSize;
      this.attnSize = attnSize;
      this.W1 = child("W1", new Dense(attnSize));
      this.W2 = child("W2", new Dense(attnSize));
      this.V = child("V", new Dense(1));
    }

    /** Returns the context [N, hidden]; {@link #probs} gives the weights too, as the seed's tuple does. */
    @Override
    public Tensor forward(Tensor x) {
      return probsAndContext(x)[1];
    }

    Tensor[] probsAndContext(Tensor x) {
      Tensor attnScores = V.forward(W2.forward(x).tanh());
      Tensor attnProbs = attnScores.softmax(1);
      Tensor context = attnProbs.mul(x).sum(false, 1);
      return new Tensor[] {attnProbs, context};
    }
  }

  private SeedAttention() {}

  /**
   * Runs the example and prints what it shows.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    // input sequence data
    Tensor inputData = Tensor.randn(new Rng(0), 1, 100, 100);

    // build the attention mechanism
    var attention = new Attention(100, 50);
    var model = Sequential.of(attention);
    model.train(true);
    Tensor[] out = attention.probsAndContext(inputData);
    Tensor attnProbs = out[0], output = out[1];
    System.out.println("context " + java.util.Arrays.toString(output.shape()) + ", attention weights "
        + java.util.Arrays.toString(attnProbs.shape()) + " (sum " + attnProbs.sum().item() + ")");
    System.out.println("model output " + java.util.Arrays.toString(model.forward(inputData).shape()));
  }
}
