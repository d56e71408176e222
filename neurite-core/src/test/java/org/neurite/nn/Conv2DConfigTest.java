package org.neurite.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.neurite.testing.Errors.assertMessage;

import org.junit.jupiter.api.Test;

/** A Conv2D's config is fixed once built, and its padding rule (one, validated) is the one exporters read. */
class Conv2DConfigTest {
  // Failed before the fix: the setters worked after build and outputShape() still said [4, 8, 8].
  @Test
  void optionsCannotChangeAfterBuild() {
    Conv2D conv = new Conv2D(4, 3).padding(Padding.SAME);
    Sequential.of(conv).input(1, 8, 8);
    assertMessage(IllegalStateException.class, () -> conv.stride(2), "stride cannot change after the layer is built");
    assertMessage(IllegalStateException.class, () -> conv.padding(0), "padding cannot change");
    assertMessage(IllegalStateException.class, () -> conv.dilation(2), "dilation cannot change");
    assertArrayEquals(new int[] {4, 8, 8}, conv.outputShape());
    assertEquals(1, conv.config().stride());
  }

  // Failed before the fix: the config's rule gave 1 for a strided "same" convolution that the layer refuses.
  @Test
  void theConfigsPaddingRuleValidates() {
    var c = new Conv2D.Config(4, 3, 2, Padding.SAME, 1, 1, true, Activation.LINEAR, -1);
    assertMessage(IllegalArgumentException.class, c::paddingSize, "padding=same needs stride 1");
    assertEquals(2, new Conv2D.Config(4, 3, 1, Padding.SAME, 2, 1, true, Activation.LINEAR, -1).paddingSize());
    assertMessage(IllegalArgumentException.class, () -> Sequential.of(new Conv2D(4, 3).stride(2).padding(Padding.SAME)).input(1, 8, 8),
        "Conv2D(4, kernel=3, stride=2, padding=same): padding=same needs stride 1");
  }
}
