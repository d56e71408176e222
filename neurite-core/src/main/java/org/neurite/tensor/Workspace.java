package org.neurite.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.neurite.autograd.Node;

/**
 * Recycles the large arrays of a computation that repeats with the same shapes: a training step, a
 * batch of inference. Inside a {@link #enter() scope}, ops take their outputs and gradients from the
 * arrays that the previous scope of this workspace used; closing a scope hands its arrays back.
 * Deeplearning4j's workspaces and PyTorch's caching allocator do the same, for the same reasons:
 * <ul>
 *   <li>a fresh array is zeroed by the JVM and cold in cache, and a recycled one is warm: a first
 *       convolution layer's 5.5 MB output cost more to allocate than to compute;
 *   <li>arrays of a megabyte or more go straight to the old generation (G1's humongous regions), and
 *       a training step that throws away hundreds of them makes the collector grow the heap far past
 *       what the step really holds at once.
 * </ul>
 *
 * <pre>{@code
 * Workspace ws = new Workspace();
 * for (Batch b : batches) {
 *   optimizer.zeroGrad();
 *   try (var scope = ws.enter()) {
 *     Tensor loss = Functional.crossEntropy(model.forward(b.x()), b.y());
 *     loss.backward();
 *     total += loss.item();
 *   }                   // activations and gradients go back to ws here
 *   optimizer.step();   // parameters and their gradients never come from a workspace
 * }
 * }</pre>
 *
 * <p>The contract: a tensor an op created inside a scope is valid until the scope closes. Read what you
 * need before that, or {@link Scope#keep} the tensor (with what its backward needs). The contract is
 * checked: each pooled array sits in a slot whose generation goes up when the array comes back, a
 * tensor remembers the generation it was lent at, and reading a tensor whose array came back throws an
 * {@code IllegalStateException} naming the scope (one field compare per read of the storage, not per
 * element). Parameters, their {@code grad}, optimizer state and tensors made by the creation methods
 * ({@code Tensor.of}, {@code zeros}, ...) are never recycled. Only arrays of {@link #MIN_FLOATS} floats
 * or more are pooled: smaller ones are cheap to allocate.
 *
 * <p>This is the one pool of large arrays: op outputs and gradients, max pooling's argmax and
 * attention's saved probabilities all come from here. (A parameter's gradient array is not pooled: it
 * stays with the parameter from step to step, see {@link #gradient}.)
 *
 * <p>The workspace keeps no more than the arrays its last scope used: sizes a scope did not ask for are
 * dropped when it closes, so shapes that change from batch to batch cost no memory, only the reuse.
 * A workspace and its scopes belong to one thread; ops running on other threads allocate as usual.
 *
 * <p>Not thread-safe: a workspace and its scopes belong to one thread.
 */
public final class Workspace {
  /** Arrays of at least this many floats (128 KiB) are pooled. */
  public static final int MIN_FLOATS = 1 << 15;

  private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

  // Free slots by kind and length: a float[]'s key is its length, an int[]'s its length + 2^32.
  private final Map<Long, ArrayDeque<Slot>> free = new HashMap<>();
  private int scopes; // scopes entered, to name them in messages

  /** A pooled array and its generation, which goes up each time the array comes back to the pool. */
  static final class Slot {
    final Object array;
    int generation;
    String returnedBy = ""; // for the message of a stale read

    Slot(Object array) {
      this.array = array;
    }
  }

  /** An empty workspace; its first scope allocates as usual. */
  public Workspace() {}

  /**
   * Opens a scope on this thread: until it closes, ops draw their large arrays from this workspace.
   *
   * @return the scope, to close (try-with-resources)
   */
  public Scope enter() {
    return enter("scope #" + (scopes + 1));
  }

  /**
   * As {@link #enter()}, with a name that messages about tensors read after the scope closed give.
   *
   * @param name the scope's name, e.g. "training step"
   * @return the scope, to close (try-with-resources)
   */
  public Scope enter(String name) {
    scopes++;
    Scope s = new Scope(CURRENT.get(), name);
    CURRENT.set(s);
    return s;
  }

  /** Lets the pooled arrays go (to the garbage collector), for a workspace whose loop has ended. */
  public void clear() {
    free.clear();
  }

  /**
   * Floats held for the next scope (for tests and memory reports).
   *
   * @return the count
   */
  public long pooledFloats() {
    long n = 0;
    for (var e : free.entrySet()) n += (e.getKey() & 0xffffffffL) * e.getValue().size();
    return n;
  }

  /** For tests: overwrites every pooled array, so an op that reads before it writes shows up. */
  void poison() {
    for (ArrayDeque<Slot> q : free.values())
      for (Slot slot : q) {
        if (slot.array instanceof float[] f) java.util.Arrays.fill(f, Float.NaN);
        else java.util.Arrays.fill((int[]) slot.array, Integer.MIN_VALUE);
      }
  }

  /**
   * An array of {@code n} floats for an op's result: inside a scope, a recycled one whose contents are
   * arbitrary (the op must write every element); outside, a new zeroed one.
   *
   * @param n the length
   * @return the array
   */
  public static float[] floats(int n) {
    Scope s = CURRENT.get();
    return s == null || n < MIN_FLOATS ? new float[n] : (float[]) s.take(n, false);
  }

  /**
   * An array for the gradient of {@code t} that an op's backward overwrites: the parameter's own
   * gradient array from the step before, when it has one to give (then autograd adopts it without a
   * copy, see {@link org.neurite.autograd.AutogradMeta#takeGradBuffer}), else as {@link #floats}.
   *
   * @param t the tensor whose gradient the array will hold
   * @return the array
   */
  public static float[] gradient(Tensor t) {
    float[] a = t.isLeaf() && t.requiresGrad() ? t.autograd().takeGradBuffer() : null;
    return a != null ? a : floats(t.size());
  }

  /**
   * As {@link #floats}, for the int arrays an op keeps for its backward (max pooling's argmax).
   *
   * @param n the length
   * @return the array
   */
  public static int[] ints(int n) {
    Scope s = CURRENT.get();
    return s == null || n < MIN_FLOATS ? new int[n] : (int[]) s.take(n, true);
  }

  /**
   * True when {@code a} was lent by the current scope and is not back yet.
   *
   * @param a an array
   * @return whether it is lent and not back
   */
  public static boolean isLent(Object a) {
    Scope s = CURRENT.get();
    return s != null && s.lent.containsKey(a);
  }

  /** The slot of {@code a} when a scope open on this thread lent it and it is not back yet, else null. */
  static Slot slotOf(Object a) {
    for (Scope s = CURRENT.get(); s != null; s = s.outer) {
      Slot slot = s.lent.get(a);
      if (slot != null) return slot;
    }
    return null;
  }

  /**
   * Hands {@code a} back before its scope closes, for a caller that knows nothing refers to it any more
   * (autograd, with a gradient it has propagated). Arrays the current scope did not lend are ignored.
   *
   * @param a an array the current scope lent
   */
  public static void recycle(float[] a) {
    Scope s = CURRENT.get();
    Slot slot = s == null ? null : s.lent.remove(a);
    if (slot != null) s.owner().give(slot, s.handBackNote);
  }

  private void give(Slot slot, String by) {
    slot.generation++;   // every tensor lent this array before is stale from now on
    slot.returnedBy = by;
    free.computeIfAbsent(key(slot.array), k -> new ArrayDeque<>()).push(slot);
  }

  private static long key(Object a) {
    return a instanceof int[] i ? i.length + (1L << 32) : ((float[]) a).length;
  }

  /** One pass of the repeated computation; see {@link Workspace}. */
  public final class Scope implements AutoCloseable {
    private final Scope outer;
    private final String closeNote, handBackNote; // what a stale read's message says took the array back
    private final Map<Object, Slot> lent = new IdentityHashMap<>();
    private final Set<Long> asked = new HashSet<>();
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    private Scope(Scope outer, String name) {
      this.outer = outer;
      this.closeNote = "the close of workspace scope \"" + name + "\"";
      this.handBackNote = "an early hand-back in workspace scope \"" + name + "\" (a gradient autograd had propagated)";
    }

    private Workspace owner() {
      return Workspace.this;
    }

    private Object take(int n, boolean ints) {
      long key = n + (ints ? 1L << 32 : 0);
      asked.add(key);
      ArrayDeque<Slot> q = free.get(key);
      Slot slot = q != null && !q.isEmpty() ? q.pop() : new Slot(ints ? new int[n] : new float[n]);
      lent.put(slot.array, slot);
      return slot.array;
    }

    /**
     * Lets {@code t} outlive the scope with what its backward still needs: its storage, and the storage
     * of every tensor and saved array of the graph behind it, are no longer recycled (the garbage
     * collector frees them as usual), so {@code t.backward()} works after the scope closed. Returns
     * {@code t}.
     *
     * @param t a tensor made inside this scope
     * @return {@code t}
     */
    public Tensor keep(Tensor t) {
      Set<Tensor> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
      List<Tensor> todo = new ArrayList<>(List.of(t));
      while (!todo.isEmpty()) {
        Tensor x = todo.removeLast();
        if (!seen.add(x)) continue;
        lent.remove(x.storage());
        Node node = x.gradFn();
        if (node == null) continue;
        for (Object a : node.saved()) lent.remove(a);
        for (Tensor in : node.inputs()) if (in != null) todo.add(in);
      }
      return t;
    }

    /** Hands this scope's arrays back to the workspace and drops pooled sizes it did not use. */
    @Override
    public void close() {
      if (closed) return;
      if (Thread.currentThread() != thread)
        throw new IllegalStateException("Workspace.Scope.close: opened on thread " + thread.getName() + ", closed on "
            + Thread.currentThread().getName() + "; a scope belongs to the thread that entered it");
      if (CURRENT.get() != this)
        throw new IllegalStateException("Workspace.Scope.close: an inner scope is still open; close scopes in reverse order"
            + " (try-with-resources does)");
      closed = true;
      CURRENT.set(outer);
      free.keySet().removeIf(key -> !asked.contains(key) && (outer == null || !outer.asked.contains(key)));
      for (Slot slot : lent.values()) give(slot, closeNote);
      lent.clear();
      if (outer != null) outer.asked.addAll(asked);
    }
  }
}
