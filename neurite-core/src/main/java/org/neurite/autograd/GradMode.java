package org.neurite.autograd;

/**
 * Whether ops record their backward (per thread). Inference runs inside {@link #off()}: no node, no
 * closure and no saved activation is allocated.
 *
 * <pre>{@code
 * try (var scope = GradMode.off()) {
 *   Tensor y = model.forward(x);
 * }
 * }</pre>
 *
 * <p>Thread-safe: the mode is per thread, and a scope changes only the thread that opened it.
 */
public final class GradMode {
  private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

  private GradMode() {}

  /** {@return whether ops record their backward on this thread} */
  public static boolean enabled() {
    return ENABLED.get()[0];
  }

  /**
   * A scope with grad mode off; closing it restores the previous mode.
   *
   * @return the scope, to close (try-with-resources)
   */
  public static Scope off() {
    return set(false);
  }

  /**
   * A scope with grad mode on; closing it restores the previous mode.
   *
   * @return the scope, to close (try-with-resources)
   */
  public static Scope on() {
    return set(true);
  }

  private static Scope set(boolean on) {
    boolean[] flag = ENABLED.get();
    boolean previous = flag[0];
    flag[0] = on;
    return () -> flag[0] = previous;
  }

  /** Restores the previous grad mode when closed. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }
}
