package org.neurite.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The translation commands end to end on a tiny Multi30k-shaped corpus: {@code train translate --arch transformer}
 * with scheduled teacher forcing, {@code eval} of the saved model (BLEU), and {@code bench translate}'s JSON lines.
 */
class TranslateCommandsTest {
  @TempDir Path dir;

  private static String run(String... args) {
    var out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(out, true));
    try {
      assertEquals(0, Main.run(args), String.join(" ", args));
    } finally {
      System.setOut(old);
    }
    return out.toString();
  }

  private Path corpus() throws IOException {
    String[] en = {"a", "dog", "man", "runs", "sits", "red", "big"}, de = {"ein", "hund", "mann", "rennt", "sitzt", "rot", "gross"};
    Path tok = Files.createDirectories(dir.resolve("m30k/tok"));
    for (String split : new String[] {"train", "val", "test_2016_flickr"}) {
      List<String> s = new ArrayList<>(), t = new ArrayList<>();
      int n = split.equals("train") ? 60 : 6;
      for (int i = 0; i < n; i++) {
        int a = i % 7, b = (i * 3 + 1) % 7;
        s.add(en[a] + " " + en[b]);
        t.add(de[a] + " " + de[b]);
      }
      Files.write(tok.resolve(split + ".lc.norm.tok.en"), s);
      Files.write(tok.resolve(split + ".lc.norm.tok.de"), t);
    }
    return dir.resolve("m30k");
  }

  @Test
  void trainTransformerEvalAndBench() throws IOException {
    String pairs = "multi30k:" + corpus();
    Path out = dir.resolve("run");
    String train = run("train", "translate", "--pairs", pairs, "--arch", "transformer", "--embed", "16", "--heads", "2", "--ff", "32",
        "--layers", "1", "--epochs", "2", "--teacher-forcing", "1:0.5", "--beam", "2", "--out", out.toString());
    assertTrue(train.contains("TransformerSeq2Seq(d=16") && train.contains("teacher forcing 0.500") && train.contains("test BLEU beam 2"), train);
    String eval = run("eval", "--model", out.resolve("model").toString(), "--data", pairs, "--beam", "2", "--limit", "4");
    assertTrue(eval.contains("beam 2 alpha 0.6, 4 sentences: BLEU = ") && eval.contains("hyp: "), eval);
    String bench = run("bench", "translate", "--pairs", pairs, "--epochs", "1", "--embed", "8", "--hidden", "8", "--attention-units", "8",
        "--beam", "2", "--threads", "1");
    String[] lines = bench.strip().split("\n");
    assertEquals(3, lines.length, bench);
    assertTrue(lines[0].startsWith("{\"workload\":\"translate_train\",\"peer\":\"neurite\"") && lines[0].contains("\"metric\":\"sentences/s\""),
        lines[0]);
    assertTrue(lines[1].contains("\"translate_bleu_greedy\"") && lines[2].contains("\"translate_bleu_beam\"") && lines[2].contains("\"beam\":2"),
        bench);
    assertTrue(lines[0].contains("\"lr\":0.002,") && lines[0].contains("\"train\":60,"), lines[0]);
  }
}
