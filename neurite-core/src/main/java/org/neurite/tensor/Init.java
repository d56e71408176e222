package org.neurite.tensor;

/**
 * Weight initialisers, as torch.nn.init defines them. {@code fanIn} and {@code fanOut} are passed
 * explicitly (for a conv weight {@code [O, C, kH, kW]}: fanIn = C kH kW, fanOut = O kH kW).
 *
 * <p>Thread-safe: static methods; each call draws from the {@link Rng} it is given, which is not
 * thread-safe.
 */
public final class Init {
  private Init() {}

  /**
   * Glorot and Bengio (2010): U(-a, a), a = sqrt(6 / (fanIn + fanOut)).
   *
   * @param rng the generator to draw from
   * @param fanIn inputs per output unit (for a conv weight {@code [O, C, kH, kW]}: C kH kW)
   * @param fanOut outputs per input unit (for a conv weight: O kH kW)
   * @param shape the weight's shape
   * @return a new tensor of that shape
   */
  public static Tensor xavierUniform(Rng rng, int fanIn, int fanOut, int... shape) {
    float a = (float) Math.sqrt(6.0 / (fanIn + fanOut));
    return Tensor.uniform(rng, -a, a, shape);
  }

  /**
   * Glorot and Bengio (2010): N(0, 2 / (fanIn + fanOut)).
   *
   * @param rng the generator to draw from
   * @param fanIn inputs per output unit (for a conv weight {@code [O, C, kH, kW]}: C kH kW)
   * @param fanOut outputs per input unit (for a conv weight: O kH kW)
   * @param shape the weight's shape
   * @return a new tensor of that shape
   */
  public static Tensor xavierNormal(Rng rng, int fanIn, int fanOut, int... shape) {
    return Tensor.normal(rng, 0f, (float) Math.sqrt(2.0 / (fanIn + fanOut)), shape);
  }

  /**
   * He et al. (2015) for ReLU: U(-b, b), b = sqrt(6 / fanIn).
   *
   * @param rng the generator to draw from
   * @param fanIn inputs per output unit (for a conv weight {@code [O, C, kH, kW]}: C kH kW)
   * @param shape the weight's shape
   * @return a new tensor of that shape
   */
  public static Tensor heUniform(Rng rng, int fanIn, int... shape) {
    float b = (float) Math.sqrt(6.0 / fanIn);
    return Tensor.uniform(rng, -b, b, shape);
  }

  /**
   * He et al. (2015) for ReLU: N(0, 2 / fanIn).
   *
   * @param rng the generator to draw from
   * @param fanIn inputs per output unit (for a conv weight {@code [O, C, kH, kW]}: C kH kW)
   * @param shape the weight's shape
   * @return a new tensor of that shape
   */
  public static Tensor heNormal(Rng rng, int fanIn, int... shape) {
    return Tensor.normal(rng, 0f, (float) Math.sqrt(2.0 / fanIn), shape);
  }
}
