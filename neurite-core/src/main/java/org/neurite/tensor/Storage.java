package org.neurite.tensor;

/**
 * What every view of one storage array shares (a tensor and its reshapes, slices, detach ...): the
 * count of in-place writes, autograd's version counter, and for an array a workspace lent, the lease
 * that says whether the array is still this storage's. A lease is the slot's generation when the array
 * was lent; the workspace bumps the slot's generation when the array goes back, so a stale tensor costs
 * one field compare to detect.
 *
 * <p>Not thread-safe, as the tensor: in-place writes are serial.
 */
final class Storage {
  int version;
  private final Workspace.Slot slot; // null unless a workspace lent the array
  private final int generation;

  Storage(Workspace.Slot slot) {
    this.slot = slot;
    this.generation = slot == null ? 0 : slot.generation;
  }

  /** The storage state of a new tensor over {@code data}: leased when the current scope lent it. */
  static Storage of(float[] data) {
    return new Storage(data.length < Workspace.MIN_FLOATS ? null : Workspace.slotOf(data));
  }

  boolean live() {
    return slot == null || slot.generation == generation;
  }

  /** Throws when the array went back to its workspace since it was lent to this storage. */
  void checkLive(Tensor t) {
    if (!live())
      throw new IllegalStateException("Tensor of shape " + Shape.str(t.shape()) + " read after " + slot.returnedBy
          + ": its array went back to the workspace and may hold other data now. Read what you need before the"
          + " scope closes, or Scope.keep(tensor) to let it outlive the scope");
  }
}
