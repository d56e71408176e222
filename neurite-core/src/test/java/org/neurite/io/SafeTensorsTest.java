package org.neurite.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Tensor;

/** safetensors round trips, atomic writes, and clear errors on truncated or corrupt files. */
class SafeTensorsTest {
  @TempDir
  Path dir;

  @Test
  void roundTripKeepsNamesShapesAndValues() throws IOException {
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("layers.0.weight", Tensor.randn(new Rng(1), 3, 4));
    m.put("layers.0.bias", Tensor.arange(3));
    m.put("scalar", Tensor.scalar(2.5f));
    m.put("empty", Tensor.zeros(0, 5));
    Path f = dir.resolve("model.safetensors");
    SafeTensors.write(f, m);
    Map<String, Tensor> back = SafeTensors.read(f);
    assertEquals(m.keySet(), back.keySet());
    for (String k : m.keySet()) {
      assertArrayEquals(m.get(k).shape(), back.get(k).shape(), k);
      assertArrayEquals(m.get(k).toArray(), back.get(k).toArray(), k);
    }
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file may be left behind");
    }
  }

  @Test
  void truncatedFileNamesTheTensorAndTheSizes() throws IOException {
    Path f = dir.resolve("t.safetensors");
    SafeTensors.write(f, Map.of("w", Tensor.ones(10, 10)));
    byte[] all = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(all, all.length - 7));
    var e = assertThrows(IOException.class, () -> SafeTensors.read(f));
    assertTrue(e.getMessage().contains("tensor \"w\" F32 [10, 10] needs 400 bytes"), e.getMessage());
  }

  @Test
  void tooShortAndBadHeaderLength() throws IOException {
    Path f = dir.resolve("short.safetensors");
    Files.write(f, new byte[] {1, 2, 3});
    assertTrue(assertThrows(IOException.class, () -> SafeTensors.read(f)).getMessage().contains("too short"));
    Files.write(f, new byte[] {(byte) 0xff, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
    assertTrue(assertThrows(IOException.class, () -> SafeTensors.read(f)).getMessage().contains("header length 255"));
  }
}
