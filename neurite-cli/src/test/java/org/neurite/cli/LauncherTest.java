package org.neurite.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The collector is the launcher's choice, made from the command line before the JVM starts: G1 for input
 * batches of 8 MiB or more and for translation, ParallelGC otherwise (no command restarts its own JVM).
 */
class LauncherTest {
  private static final Path LAUNCHER = Path.of("..", "neurite").toAbsolutePath().normalize();

  private static String flags(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("NEURITE_PRINT_JVM_FLAGS", "1");
    pb.environment().remove("NEURITE_JAVA_OPTS");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  private static boolean g1(String... args) throws Exception {
    String f = flags(args);
    assertTrue(f.contains("-XX:+UseG1GC") != f.contains("-XX:+UseParallelGC"), f);
    return f.contains("-XX:+UseG1GC");
  }

  @Test
  void largeImageBatchesAndTranslationRunOnG1() throws Exception {
    assertTrue(g1("train", "image", "--data", "folder:x", "--size", "224x224", "--batch-size", "16", "--out", "o"));
    assertTrue(g1("--threads", "2", "train", "image", "--data=folder:x", "--size=224x224", "--channels=3", "--out", "o"));
    assertTrue(g1("bench", "cnn", "--config", "C"));
    assertTrue(g1("train", "translate", "--out", "o"));
    assertTrue(g1("finetune", "--model", "r.onnx", "--arch", "resnet18", "--data", "x", "--out", "o"));
  }

  @Test
  void smallInputsStayOnParallelGc(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    assertTrue(!g1("train", "image", "--data", "mnist", "--batch-size", "256", "--out", "o"));
    assertTrue(!g1("train", "image", "--data", "folder:x", "--size", "64x64", "--out", "o"));
    assertTrue(!g1("bench", "cnn", "--config", "A"));
    assertTrue(!g1("demo"));
    assertTrue(!g1("train", "image", "--size", "not-a-size", "--data", "folder:x", "--out", "o"), "unreadable: the default");
    Files.writeString(tmp.resolve("config.json"), "{\n  \"input_shape\" : [ 3, 32, 32 ],\n  \"layers\" : [ ]\n}");
    assertTrue(!g1("finetune", "--model", tmp.toString(), "--data", "x", "--out", "o"), "a pretrained 3x32x32 model");
    Files.writeString(tmp.resolve("config.json"), "{\n  \"input_shape\" : [ 3, 224, 224 ],\n  \"layers\" : [ ]\n}");
    assertTrue(g1("finetune", "--model", tmp.toString(), "--data", "x", "--out", "o"), "a pretrained 3x224x224 model");
  }
}
