package org.neurite.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.neurite.nn.Dense;
import org.neurite.nn.Seeds;
import org.neurite.nn.Sequential;
import org.neurite.optim.Adam;
import org.neurite.optim.SGD;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/**
 * Version counters: a backward that would read a tensor written in place after the forward saved it
 * throws, as PyTorch does. Before the counters, each of these backwards silently used the new values.
 */
class VersionCounterTest {
  private static Sequential model() {
    Seeds.set(1);
    return Sequential.of(new Dense(4).relu(), new Dense(2)).input(3);
  }

  private static final Tensor X = Tensor.randn(new Rng(2), 5, 3);

  @Test
  void anOptimizerStepBetweenForwardAndBackwardThrows() {
    Sequential m = model();
    Adam adam = new Adam(m.parameters(), 1e-2f);
    m.forward(X).sum().backward();
    adam.step();
    Tensor loss = m.forward(X).sum();
    adam.step();   // writes the weights the pending backward reads
    var e = assertThrows(IllegalStateException.class, loss::backward);
    assertTrue(e.getMessage().contains("modified by an inplace operation"), e.getMessage());
    assertTrue(e.getMessage().matches("(?s).*is at version \\d+; expected version \\d+.*"), e.getMessage());
  }

  @Test
  void loadStateDictBetweenForwardAndBackwardThrows() {
    Sequential m = model();
    Map<String, Tensor> state = model().stateDict();
    Tensor loss = m.forward(X).sum();
    m.loadStateDict(state);
    assertThrows(IllegalStateException.class, loss::backward);
  }

  @Test
  void aUsersInPlaceWriteThroughAViewThrows() {
    Tensor w = Tensor.randn(new Rng(3), 3, 2).requiresGrad(true);
    Tensor loss = X.matmul(w).sum();
    Tensor view = w.reshape(6);
    view.storage()[0] = 42f;
    view.bumpVersion();
    assertEquals(1, w.version(), "views share the counter");
    assertEquals(1, w.detach().version());
    assertThrows(IllegalStateException.class, loss::backward);
  }

  @Test
  void theUsualLoopNeverTrips() {
    Sequential m = model();
    SGD sgd = new SGD(m.parameters(), 0.1f);
    for (int i = 0; i < 3; i++) {
      sgd.zeroGrad();
      m.forward(X).sum().backward();
      sgd.step();
    }
    assertTrue(m.parameters().get(0).version() >= 3);
  }
}
