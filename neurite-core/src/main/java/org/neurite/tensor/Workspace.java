package org.neurite.tensor;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

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
 * need before that, or {@link Scope#keep} the tensor. Parameters, their {@code grad}, optimizer state
 * and tensors made by the creation methods ({@code Tensor.of}, {@code zeros}, ...) are never recycled.
 * Only arrays of {@link #MIN_FLOATS} floats or more are pooled: smaller ones are cheap to allocate.
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

  // Free arrays by kind and length: a float[]'s key is its length, an int[]'s its length + 2^32.
  private final Map<Long, ArrayDeque<Object>> free = new HashMap<>();

  /** An empty workspace; its first scope allocates as usual. */
  public Workspace() {}

  /**
   * Opens a scope on this thread: until it closes, ops draw their large arrays from this workspace.
   *
   * @return the scope, to close (try-with-resources)
   */
  public Scope enter() {
    Scope s = new Scope(CURRENT.get());
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
    for (ArrayDeque<Object> q : free.values())
      for (Object a : q) {
        if (a instanceof float[] f) java.util.Arrays.fill(f, Float.NaN);
        else java.util.Arrays.fill((int[]) a, Integer.MIN_VALUE);
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
   * copy, see {@link Tensor#takeGradBuffer}), else as {@link #floats}.
   *
   * @param t the tensor whose gradient the array will hold
   * @return the array
   */
  public static float[] gradient(Tensor t) {
    float[] a = t.takeGradBuffer();
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
    return s != null && s.lent.contains(a);
  }

  /**
   * Hands {@code a} back before its scope closes, for a caller that knows nothing refers to it any more
   * (autograd, with a gradient it has propagated). Arrays the current scope did not lend are ignored.
   *
   * @param a an array the current scope lent
   */
  public static void recycle(float[] a) {
    Scope s = CURRENT.get();
    if (s != null && s.lent.remove(a)) s.owner().give(a);
  }

  private void give(Object a) {
    free.computeIfAbsent(key(a), k -> new ArrayDeque<>()).push(a);
  }

  private static long key(Object a) {
    return a instanceof int[] i ? i.length + (1L << 32) : ((float[]) a).length;
  }

  /** One pass of the repeated computation; see {@link Workspace}. */
  public final class Scope implements AutoCloseable {
    private final Scope outer;
    private final Set<Object> lent = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<Long> asked = new HashSet<>();
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    private Scope(Scope outer) {
      this.outer = outer;
    }

    private Workspace owner() {
      return Workspace.this;
    }

    private Object take(int n, boolean ints) {
      long key = n + (ints ? 1L << 32 : 0);
      asked.add(key);
      ArrayDeque<Object> q = free.get(key);
      Object a = q != null && !q.isEmpty() ? q.pop() : ints ? new int[n] : new float[n];
      lent.add(a);
      return a;
    }

    /**
     * Lets {@code t} outlive the scope: its storage is no longer recycled (the garbage collector frees it
     * as usual). Returns {@code t}.
     *
     * @param t a tensor made inside this scope
     * @return {@code t}
     */
    public Tensor keep(Tensor t) {
      lent.remove(t.storage());
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
      for (Object a : lent) give(a);
      lent.clear();
      if (outer != null) outer.asked.addAll(asked);
    }
  }
}
