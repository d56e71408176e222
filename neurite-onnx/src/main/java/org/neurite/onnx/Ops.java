package org.neurite.onnx;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The operator table: ONNX op_type to the maker that prepares a node, and which inputs of each operator
 * carry data that gradients flow into. A float initializer becomes a trainable parameter when some
 * node reads it as data (a weight, a bias, a BatchNormalization scale); one read only as an argument
 * (a Reshape shape, Clip bounds, a Pow exponent, Slice starts) stays a constant, and
 * BatchNormalization's running statistics are buffers.
 */
final class Ops {
  /** Opsets of the default domain this importer knows the semantics of. */
  static final int MIN_OPSET = 1, MAX_OPSET = 21;

  /** Prepares one node at load time; throws naming the node when its attributes are unsupported. */
  @FunctionalInterface
  interface Maker {
    Op make(Ctx c) throws OnnxException;
  }

  private static final Map<String, Maker> MAKERS = new TreeMap<>();

  static {
    MathOps.register(MAKERS);
    ShapeOps.register(MAKERS);
    NnOps.register(MAKERS);
    ReduceOps.register(MAKERS);
    RnnOps.register(MAKERS);
  }

  /** Ops whose result depends on more than their inputs (training mode, randomness, state): never folded. */
  private static final Set<String> NOT_FOLDABLE = Set.of("Dropout", "BatchNormalization");

  private Ops() {}

  static Maker maker(String opType) {
    return MAKERS.get(opType);
  }

  static Set<String> supported() {
    return MAKERS.keySet();
  }

  static boolean foldable(String opType) {
    return !NOT_FOLDABLE.contains(opType);
  }

  /** Input slots that are running statistics (updated in training, saved as buffers). */
  static boolean stateInput(String opType, int slot) {
    return opType.equals("BatchNormalization") && (slot == 3 || slot == 4);
  }

  /** Whether a float initializer read at {@code slot} of {@code opType} is trained. */
  static boolean dataInput(String opType, int slot) {
    return switch (opType) {
      case "Reshape", "Expand", "Tile", "Squeeze", "Unsqueeze", "Split", "Gather", "GatherElements", "Pow", "Dropout",
           "Shape", "Size", "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceSumSquare", "ReduceL1", "ReduceL2",
           "ArgMax", "ArgMin", "Cast", "CastLike", "Clip", "Pad", "Slice", "Resize", "Upsample" -> slot == 0;
      case "ConstantOfShape", "Range", "OneHot" -> false;
      case "Where" -> slot == 1 || slot == 2;
      case "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Not", "And", "Or", "Xor", "Mod", "Floor",
           "Ceil", "Round", "Sign" -> false;
      case "BatchNormalization" -> slot <= 2;
      case "LSTM", "GRU", "RNN" -> slot != 4;   // sequence_lens
      default -> true;
    };
  }
}
