package org.neurite.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;
import org.neurite.tensor.Workspace;

/**
 * Reverse-mode differentiation over the recorded graph. Gradients of leaves that require them are
 * added to their {@code grad} (accumulating across calls, as in PyTorch); intermediate gradients are
 * not kept.
 *
 * <p>Thread-safe for graphs that share no tensors: its working state is per thread, but two backward passes
 * that reach the same leaf race on its {@code grad}.
 */
public final class Autograd {
  private Autograd() {}

  /**
   * Backpropagates {@code gradOutput} (same shape as {@code root}) through the graph behind root.
   *
   * @param root the output to differentiate
   * @param gradOutput the gradient of the loss with respect to {@code root}
   */
  public static void backward(Tensor root, Tensor gradOutput) {
    if (!root.requiresGrad())
      throw new IllegalStateException("backward: the tensor does not require grad and has no graph; "
          + "call requiresGrad(true) on the parameters before the forward pass");
    if (!Shape.same(root.shape(), gradOutput.shape()))
      throw new IllegalArgumentException("backward: gradient shape " + Shape.str(gradOutput.shape())
          + " differs from the output shape " + Shape.str(root.shape()));
    List<Tensor> order = topologicalOrder(root);
    Map<Tensor, Tensor> grads = new IdentityHashMap<>();
    grads.put(root, gradOutput);
    try (var scope = GradMode.off()) {
      for (int i = order.size() - 1; i >= 0; i--) {
        Tensor t = order.get(i);
        Tensor g = grads.remove(t);
        if (g == null) continue;
        Node node = t.gradFn();
        // g is autograd's alone: an op's result from the workspace that no other pending gradient shares.
        boolean mine = g != gradOutput && Workspace.isLent(g.storage()) && !pendingShares(g, grads);
        if (node == null) {
          t.autograd().accumulate(g);   // adopts or copies g; a copied workspace array goes back now
          if (mine && g.storage() != t.grad().storage()) Workspace.recycle(g.storage());
          continue;
        }
        node.checkInputs(t);
        boolean owned = mine && g.isDense();
        if (owned) OWNED.set(g);
        Tensor[] inGrads;
        try {
          inGrads = node.backward().apply(g);
        } finally {
          if (owned) OWNED.remove();
        }
        if (owned) recycle(g, inGrads);
        Tensor[] inputs = node.inputs();
        for (int j = 0; j < inputs.length; j++) {
          Tensor in = inputs[j];
          if (in == null || !in.requiresGrad() || inGrads[j] == null) continue;
          if (!Shape.same(in.shape(), inGrads[j].shape()))
            throw new IllegalStateException("backward of " + node.op() + ": gradient for input " + j + " has shape "
                + Shape.str(inGrads[j].shape()) + ", input has " + Shape.str(in.shape()));
          Tensor prev = grads.get(in);
          grads.put(in, prev == null ? inGrads[j] : prev.add(inGrads[j]));
        }
      }
    }
  }

  // The gradient the running backward may overwrite, if any (see owns).
  private static final ThreadLocal<Tensor> OWNED = new ThreadLocal<>();

  /**
   * True when the backward now running may overwrite {@code gradOutput} in place (a fused ReLU masking
   * its dy): inside a {@link Workspace} scope, for a gradient an op computed, that nothing else refers to
   * and that autograd drops after this backward. Never for the gradient passed to {@code backward()}.
   *
   * @param gradOutput the gradient a backward was given
   * @return whether that backward may overwrite it
   */
  public static boolean owns(Tensor gradOutput) {
    return gradOutput != null && OWNED.get() == gradOutput;
  }

  private static boolean pendingShares(Tensor g, Map<Tensor, Tensor> pending) {
    for (Tensor t : pending.values()) if (t.storage() == g.storage()) return true;
    return false;
  }

  /**
   * Hands an owned gradient's array back to the workspace once it has been propagated, so the next
   * layer's gradient can reuse it: backward then needs about two layers' gradients at a time instead
   * of all of them. Not when an input gradient is that array or a view of it (add, reshape).
   */
  private static void recycle(Tensor g, Tensor[] inGrads) {
    float[] a = g.storage();
    for (Tensor t : inGrads) if (t != null && t.storage() == a) return;
    Workspace.recycle(a);
  }

  // Iterative DFS: recurrent nets unrolled over hundreds of steps would overflow a recursive one.
  private static List<Tensor> topologicalOrder(Tensor root) {
    List<Tensor> order = new ArrayList<>();
    Map<Tensor, Boolean> seen = new IdentityHashMap<>();
    ArrayDeque<Object[]> stack = new ArrayDeque<>();
    stack.push(new Object[] {root, 0});
    seen.put(root, true);
    while (!stack.isEmpty()) {
      Object[] frame = stack.peek();
      Tensor t = (Tensor) frame[0];
      int next = (Integer) frame[1];
      Node node = t.gradFn();
      Tensor[] inputs = node == null ? new Tensor[0] : node.inputs();
      boolean pushed = false;
      while (next < inputs.length) {
        Tensor in = inputs[next++];
        if (in != null && in.requiresGrad() && seen.put(in, true) == null) {
          frame[1] = next;
          stack.push(new Object[] {in, 0});
          pushed = true;
          break;
        }
      }
      if (!pushed) {
        stack.pop();
        order.add(t);
      }
    }
    return order;
  }
}
