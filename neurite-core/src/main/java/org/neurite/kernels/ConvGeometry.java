package org.neurite.kernels;

/**
 * Shape of a 2-D convolution: input {@code x: [batch, inC, inH, inW]}, weight
 * {@code w: [outC, inC / groups, kH, kW]}, output {@code y: [batch, outC, outH(), outW()]}, all
 * row-major (NCHW, PyTorch's layout).
 *
 * <p>outH = floor((inH + 2 padH - dilH (kH - 1) - 1) / strideH) + 1, likewise outW.
 *
 * <p>Immutable.
 */
public record ConvGeometry(int batch, int inC, int inH, int inW, int outC, int kH, int kW,
                           int strideH, int strideW, int padH, int padW, int dilH, int dilW, int groups) {
  public ConvGeometry {
    if (batch < 0 || inC < 1 || inH < 1 || inW < 1 || outC < 1 || kH < 1 || kW < 1)
      throw new IllegalArgumentException("conv2d: bad geometry " + this);
    if (strideH < 1 || strideW < 1 || dilH < 1 || dilW < 1 || padH < 0 || padW < 0)
      throw new IllegalArgumentException("conv2d: stride and dilation must be >= 1, padding >= 0: " + this);
    if (groups < 1 || inC % groups != 0 || outC % groups != 0)
      throw new IllegalArgumentException("conv2d: groups=" + groups + " must divide inC=" + inC
          + " and outC=" + outC);
  }

  public int outH() {
    return (inH + 2 * padH - dilH * (kH - 1) - 1) / strideH + 1;
  }

  public int outW() {
    return (inW + 2 * padW - dilW * (kW - 1) - 1) / strideW + 1;
  }

  /** Input channels per group. */
  public int groupInC() {
    return inC / groups;
  }

  /** Output channels per group. */
  public int groupOutC() {
    return outC / groups;
  }
}
