package org.neurite.examples;

import org.neurite.nn.Dense;
import org.neurite.nn.Embedding;
import org.neurite.nn.LSTM;
import org.neurite.nn.Sequential;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;
import org.neurite.train.Fit;

/**
 * The seed's third listing (a Keras LSTM text classifier), line for line in Neurite. The seed feeds
 * random normal numbers to an Embedding; an Embedding takes word ids, so this feeds random ids.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp neurite-cli/target/neurite.jar org.neurite.examples.SeedLstm}
 *
 * <p>Not thread-safe: a program to run from its {@code main}, once at a time.
 */
public final class SeedLstm {
  private SeedLstm() {}

  /**
   * Runs the example and prints what it shows.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    // input sequence data: 32 sequences of 100 word ids, and their labels
    Rng rng = new Rng(0);
    Tensor inputData = randomIds(rng, 10000, 32, 100);
    Tensor labels = randomIds(rng, 10, 32);

    // build the recurrent network
    var model = Sequential.of(
        new Embedding(10000, 64),
        new LSTM(64).returnSequences(true),
        new LSTM(64),
        new Dense(10).softmax())
        .input(100);

    // train it
    model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
    model.fit(inputData, labels, Fit.epochs(10));
  }

  static Tensor randomIds(Rng rng, int vocab, int... shape) {
    float[] ids = new float[org.neurite.tensor.Shape.size(shape)];
    for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(vocab);
    return Tensor.of(ids, shape);
  }
}
