package org.neurite.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code neurite help [COMMAND...]}: the help page of a command at any depth ({@code help train image}).
 * Picocli's own HelpCommand reads only the first name, so {@code help train image} printed {@code train}'s page.
 */
@Command(name = "help", helpCommand = true, description = "Print the help of a command, e.g. `neurite help train image`.")
final class HelpCommand implements Callable<Integer> {
  @Parameters(arity = "0..*", paramLabel = "COMMAND", description = "A command and its subcommands (none: the commands).")
  List<String> names = List.of();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    // picocli lets a help command's bad arguments pass as unmatched (it is a help request); fail them here.
    List<String> unmatched = spec.commandLine().getUnmatchedArguments();
    if (!unmatched.isEmpty()) throw new CommandLine.UnmatchedArgumentException(spec.commandLine(), unmatched);
    CommandLine c = spec.commandLine().getParent();
    for (String name : names) {
      CommandLine sub = c.getSubcommands().get(name);
      if (sub == null)
        throw new CommandLine.ParameterException(c, "Unknown command: '" + name + "'; " + c.getCommandSpec().qualifiedName()
            + " has " + (c.getSubcommands().isEmpty() ? "no subcommands" : String.join(", ", c.getSubcommands().keySet())));
      c = sub;
    }
    c.usage(spec.commandLine().getOut());
    return 0;
  }
}
