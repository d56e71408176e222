package org.neurite.io.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.io.ModelFiles;
import org.neurite.io.Npy;
import org.neurite.io.SafeTensors;
import org.neurite.testing.Fuzzer;

/**
 * Fuzz targets for neurite-core's readers of outside data: safetensors, .npy and a model directory's
 * config.json. Seeds (files written by numpy and by Neurite's own save) and regression inputs live in
 * {@code src/test/resources/org/neurite/io/fuzz/TARGET/}. {@link Fuzzer} says how it works and how to
 * run it longer ({@code -Dneurite.fuzz.seconds=60}).
 */
class IoFuzzTest {
  @TempDir
  Path dir;

  @Test
  void safetensors() {
    Path f = Fuzzer.scratch("model.safetensors");
    Fuzzer.run("safetensors", Fuzzer.seeds(IoFuzzTest.class, "/org/neurite/io/fuzz/safetensors"), data -> {
      Files.write(f, data);
      return SafeTensors.read(f);
    }, "\"dtype\"", "\"F32\"", "\"F16\"", "\"BF16\"", "\"I64\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "[0,0]");
  }

  @Test
  void npy() {
    Path f = Fuzzer.scratch("x.npy");
    Fuzzer.run("npy", Fuzzer.seeds(IoFuzzTest.class, "/org/neurite/io/fuzz/npy"), data -> {
      Files.write(f, data);
      return Npy.read(f);
    }, "'descr'", "'<f4'", "'<f8'", "'|u1'", "'<i8'", "'shape'", "(", ")", "'fortran_order'", "True", "False");
  }

  /** config.json through the whole load path, beside the valid weights of the seed model. */
  @Test
  void configJson() throws Exception {
    Path m = Fuzzer.scratch("model");
    Files.createDirectories(m);
    Files.write(m.resolve(ModelFiles.WEIGHTS), Fuzzer.seeds(IoFuzzTest.class, "/org/neurite/io/fuzz/safetensors").stream()
        .filter(b -> b.length > 0).findFirst().orElseThrow());
    ObjectMapper json = new ObjectMapper();
    Fuzzer.run("config-json", Fuzzer.seeds(IoFuzzTest.class, "/org/neurite/io/fuzz/config-json"), data -> {
      Files.write(m.resolve(ModelFiles.CONFIG), data);
      try {
        JsonNode root = json.readTree(data);
        // keep the fuzzer fast: a valid config for a large model is fine, building it is not what is tested
        if (root != null && ModelFiles.estimateParameters(root) > 2_000_000) return null;
      } catch (java.io.IOException e) {
        // not JSON: load must say so
      }
      return ModelFiles.load(m);
    }, "\"Dense\"", "\"Conv2D\"", "\"MaxPool2D\"", "\"AvgPool2D\"", "\"BatchNorm\"", "\"Flatten\"", "\"GlobalAvgPool2D\"",
        "\"Dropout\"", "\"units\"", "\"filters\"", "\"kernel_size\"", "\"strides\"", "\"groups\"", "\"padding\"", "\"same\"",
        "\"input_shape\"", "\"layers\"", "\"format_version\"", "\"activation\"", "\"relu\"", "\"softmax\"", "\"pool_size\"");
  }
}
