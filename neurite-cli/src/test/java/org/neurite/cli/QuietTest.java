package org.neurite.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --quiet}: the long commands print their results and no progress. */
class QuietTest {
  @TempDir Path tmp;

  @Test
  void trainTextQuietPrintsOnlyTheResult() throws Exception {
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < 20; i++) rows.append(i % 2 == 0 ? "pos\tgood fine film " : "neg\tbad dull film ").append(i).append('\n');
    Path tsv = Files.writeString(tmp.resolve("t.tsv"), rows);
    String[] args = {"train", "text", "--data", tsv.toString(), "--model", "lstm", "--epochs", "1", "--out", tmp.resolve("out").toString()};
    Cli loud = Cli.run(args);
    assertEquals(0, loud.status(), loud.toString());
    assertTrue(loud.out().contains("Epoch 1/1") && loud.out().contains("final: "), loud.toString());
    String[] quietArgs = java.util.Arrays.copyOf(args, args.length + 1);
    quietArgs[args.length] = "--quiet";
    Cli quiet = Cli.run(quietArgs);
    assertEquals(0, quiet.status(), quiet.toString());
    assertFalse(quiet.out().contains("Epoch") || quiet.out().contains("training and"), quiet.toString());
    assertTrue(quiet.out().startsWith("final: "), quiet.toString());
  }

  @Test
  void theLongCommandsTakeQuiet() {
    for (String[] c : new String[][] {{"train", "image"}, {"train", "text"}, {"train", "translate"}, {"finetune"}, {"eval"},
        {"word2vec", "train"}}) {
      String[] args = java.util.Arrays.copyOf(c, c.length + 1);
      args[c.length] = "--help";
      assertTrue(Cli.run(args).out().contains("-q, --quiet"), String.join(" ", c));
    }
  }
}
