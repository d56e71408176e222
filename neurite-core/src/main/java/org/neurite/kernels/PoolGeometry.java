package org.neurite.kernels;

/**
 * Shape of a 2-D pooling window sliding over {@code x: [batch, channels, inH, inW]} (NCHW), giving
 * {@code y: [batch, channels, outH(), outW()]}. Padding is implicit: -infinity for max pooling, zeros
 * for average pooling. outH = floor((inH + 2 padH - kH) / strideH) + 1, likewise outW.
 *
 * <p>Immutable.
 */
public record PoolGeometry(int batch, int channels, int inH, int inW, int kH, int kW,
                           int strideH, int strideW, int padH, int padW) {
  public PoolGeometry {
    if (kH < 1 || kW < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0)
      throw new IllegalArgumentException("pool2d: bad window " + this);
    if (padH * 2 > kH || padW * 2 > kW)
      throw new IllegalArgumentException("pool2d: padding (" + padH + ", " + padW
          + ") must be at most half the kernel (" + kH + ", " + kW + ")");
    if (inH + 2 * padH < kH || inW + 2 * padW < kW)
      throw new IllegalArgumentException("pool2d: input " + inH + "x" + inW + " (padded by " + padH + ", " + padW
          + ") is smaller than the kernel " + kH + "x" + kW);
  }

  public int outH() {
    return (inH + 2 * padH - kH) / strideH + 1;
  }

  public int outW() {
    return (inW + 2 * padW - kW) / strideW + 1;
  }
}
