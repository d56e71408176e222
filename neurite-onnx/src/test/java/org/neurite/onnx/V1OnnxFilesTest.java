package org.neurite.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.io.ModelFiles;
import org.neurite.io.SafeTensors;
import org.neurite.tensor.Tensor;

/**
 * An imported ONNX model directory written by format_version 1 (frozen in
 * src/test/resources/org/neurite/onnx/v1 by OnnxModel.save as it was at 89ed704, before the shared writer) keeps loading
 * and computing what it did, and is written again through the shared versioned writer.
 */
class V1OnnxFilesTest {
  @TempDir
  Path dir;

  @Test
  void aVersion1OnnxModelDirectoryLoadsAndIsRewrittenAtTheCurrentVersion() throws Exception {
    Path v1 = Path.of(V1OnnxFilesTest.class.getResource("/org/neurite/onnx/v1/onnx-model").toURI());
    Map<String, Tensor> want = SafeTensors.read(v1.resolveSibling("onnx-model-expected.safetensors"));
    OnnxModel m = Onnx.load(v1);
    m.eval();
    assertArrayEquals(want.get("y").data(), m.forward(want.get("x")).data(), 1e-5f);
    m.save(dir.resolve("m"));
    String cfg = Files.readString(dir.resolve("m").resolve(Onnx.CONFIG));
    assertTrue(cfg.contains("\"format_version\" : " + ModelFiles.FORMAT_VERSION), cfg);
    assertArrayEquals(want.get("y").data(), ((OnnxModel) Onnx.load(dir.resolve("m")).eval()).forward(want.get("x")).data(), 1e-5f);
  }
}
