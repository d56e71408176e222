package org.neurite.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Every command of the tree explains itself: {@code X --help}, {@code help X}, defaults, and hints naming the whole command. */
class HelpTest {
  static Stream<CommandSpec> commands() {
    List<CommandSpec> all = new ArrayList<>();
    collect(Main.commandLine(), all);
    return all.stream();
  }

  private static void collect(CommandLine c, List<CommandSpec> all) {
    all.add(c.getCommandSpec());
    c.getSubcommands().values().forEach(sub -> collect(sub, all));
  }

  /** "neurite train image" -> ["train", "image"]. */
  private static List<String> path(CommandSpec spec) {
    List<String> p = new ArrayList<>(Arrays.asList(spec.qualifiedName().split(" ")));
    p.remove(0);
    return p;
  }

  private static String[] args(List<String> head, String... tail) {
    List<String> a = new ArrayList<>(head);
    a.addAll(List.of(tail));
    return a.toArray(new String[0]);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commands")
  void helpShowsTheUsageEveryOptionAndItsDefault(CommandSpec spec) {
    String q = spec.qualifiedName();
    Cli flag = Cli.run(args(path(spec), "--help"));
    assertEquals(0, flag.status(), flag.toString());
    assertTrue(flag.out().startsWith("Usage: " + q + " "), flag.toString());
    assertEquals("", flag.err(), q + ": help printed warnings (a '%' in a description must be '%%')");
    String flat = flag.out().replaceAll("\\s", "");
    for (OptionSpec o : spec.options()) {
      if (o.hidden()) continue;
      for (String name : o.names()) assertTrue(flag.out().contains(name), q + ": " + name + " missing\n" + flag.out());
      if (o.defaultValue() != null && !o.type().equals(boolean.class))
        assertTrue(flat.contains("Default:" + o.defaultValue().replaceAll("\\s", "")),
            q + ": " + o.longestName() + " does not show its default " + o.defaultValue() + "\n" + flag.out());
    }
    Cli help = Cli.run(args(List.of("help"), path(spec).toArray(new String[0])));
    assertEquals(0, help.status(), help.toString());
    assertEquals(flag.out(), help.out(), "help " + String.join(" ", path(spec)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commands")
  void aBadOptionHintsAtTheWholeCommand(CommandSpec spec) {
    Cli r = Cli.run(args(path(spec), "--no-such-option"));
    assertEquals(2, r.status(), r.toString());
    assertTrue(r.err().startsWith(spec.qualifiedName() + ": ") && r.err().strip().endsWith("(see: " + spec.qualifiedName() + " --help)"), r.toString());
    assertEquals(1, r.err().strip().lines().count(), r.toString());
  }

  @Test
  void typosNameTheCommandTheyWereTypedUnder() {
    assertTrue(Cli.run("neurte").err().contains("(see: neurite --help)"));
    Cli r = Cli.run("help", "train", "imag");
    assertEquals(2, r.status(), r.toString());
    assertTrue(r.err().contains("'imag'") && r.err().contains("image, text, translate") && r.err().contains("(see: neurite train --help)"),
        r.toString());
  }
}
