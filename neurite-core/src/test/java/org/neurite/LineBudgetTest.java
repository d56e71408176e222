package org.neurite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Holds every package to the line budget written in docs/ARCHITECTURE.md, the way tinygrad keeps its
 * core small: a package that outgrows its budget is a design question (split it, or delete something),
 * not a number to bump in passing. Lines are code lines: blank lines and comment lines do not count.
 */
class LineBudgetTest {
  private static final Pattern ROW = Pattern.compile("^\\|\\s*`(org\\.neurite[\\w.]*)`\\s*\\|\\s*([\\d,]+)\\s*\\|");

  @Test
  void everyPackageFitsItsBudget() throws IOException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    Map<String, Integer> budgets = budgets(root.resolve("docs/ARCHITECTURE.md"));
    Map<String, Integer> lines = codeLines(root);
    assertTrue(lines.size() > 10, "found the sources of only " + lines.keySet() + " under " + root);

    List<String> problems = new ArrayList<>();
    for (var e : lines.entrySet()) {
      Integer budget = budgets.get(e.getKey());
      if (budget == null) problems.add(e.getKey() + " has " + e.getValue() + " lines and no budget");
      else if (e.getValue() > budget) problems.add(e.getKey() + " has " + e.getValue() + " lines, over its budget of " + budget);
    }
    for (String p : budgets.keySet())
      if (!lines.containsKey(p)) problems.add(p + " has a budget but no sources: remove its row");
    assertEquals(List.of(), problems, "docs/ARCHITECTURE.md, section 'Line budget'; measured: " + lines);
  }

  @Test
  void commentsAndBlankLinesDoNotCount() {
    assertEquals(2, codeLines(List.of("package a;", "", "// why", "/**", " * doc", " */", "class A {}", "   ")));
  }

  static Map<String, Integer> budgets(Path doc) throws IOException {
    Map<String, Integer> out = new TreeMap<>();
    for (String line : Files.readAllLines(doc)) {
      Matcher m = ROW.matcher(line);
      if (m.find()) out.put(m.group(1), Integer.parseInt(m.group(2).replace(",", "")));
    }
    return out;
  }

  static Map<String, Integer> codeLines(Path root) throws IOException {
    Map<String, Integer> out = new TreeMap<>();
    try (Stream<Path> modules = Files.list(root)) {
      for (Path module : modules.filter(p -> p.getFileName().toString().startsWith("neurite-")).toList()) {
        Path src = module.resolve("src/main/java");
        if (!Files.isDirectory(src)) continue;
        try (Stream<Path> files = Files.walk(src)) {
          for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
            String pkg = src.relativize(f.getParent()).toString().replace('/', '.');
            // Generated code (onnx.proto's classes) is not ours to budget.
            if (pkg.contains(".proto")) continue;
            out.merge(pkg, codeLines(Files.readAllLines(f)), Integer::sum);
          }
        }
      }
    }
    return out;
  }

  static int codeLines(List<String> lines) {
    int n = 0;
    boolean inComment = false;
    for (String raw : lines) {
      String s = raw.strip();
      if (inComment) {
        if (s.contains("*/")) inComment = false;
        continue;
      }
      if (s.isEmpty() || s.startsWith("//")) continue;
      if (s.startsWith("/*")) {
        inComment = !s.contains("*/");
        continue;
      }
      n++;
    }
    return n;
  }
}
