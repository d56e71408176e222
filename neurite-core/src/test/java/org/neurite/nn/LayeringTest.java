package org.neurite.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * nn does not import train: train builds on nn (and io on nn), so an import the other way made the circle
 * nn.Module, train.Trainer, io.ModelFiles, nn.Module. Module's compile/fit/evaluate go through nn.Training,
 * which train provides as a service.
 */
class LayeringTest {
  private static final Pattern UP = Pattern.compile("^import (static )?org\\.neurite\\.(train|io)\\.|[^.\\w]org\\.neurite\\.(train|io)\\.[A-Z]");

  @Test
  void nnNamesNoClassOfTrainOrIo() throws IOException {
    List<String> hits;
    try (Stream<Path> files = Files.walk(Path.of("src/main/java/org/neurite/nn"))) {
      hits = files.filter(p -> p.toString().endsWith(".java")).flatMap(p -> {
        try {
          return Files.readAllLines(p).stream().filter(l -> !l.strip().startsWith("*") && UP.matcher(l).find())
              .map(l -> p.getFileName() + ": " + l.strip());
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).toList();
    }
    assertEquals(List.of(), hits);
  }

  @Test
  void compileFindsTheTrainerAsAService() {
    Sequential m = Sequential.of(new Dense(2)).input(3);
    m.compile("sgd", "mean_squared_error");
    assertEquals("Trainer", m.training().getClass().getEnclosingClass().getSimpleName());
  }
}
