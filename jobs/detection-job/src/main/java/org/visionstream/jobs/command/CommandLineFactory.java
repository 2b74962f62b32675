package org.visionstream.jobs.command;

import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * Makes the {@link CommandLine} of a command (with its subcommands) that answers every user mistake the
 * same way: a parse error (unknown option, bad number, missing argument) or a {@link UsageException}
 * prints one line, {@code <command>: <what is wrong and what to do>}, and exits with code 2. Any other
 * exception is a machinery failure: picocli prints its stack trace and exits with code 1. The global
 * {@code --verbose} adds the stack trace to user mistakes as well.
 */
public final class CommandLineFactory {

    public static final String VERBOSE = "--verbose";

    private CommandLineFactory() {}

    public static CommandLine create(Object command) {
        CommandLine cl = new CommandLine(command);
        // Added here rather than declared by each command so that it reaches every subcommand, also the
        // ones added later, and means the same before and after the subcommand's name.
        cl.getCommandSpec().addOption(OptionSpec.builder(VERBOSE)
                .scopeType(ScopeType.INHERIT)
                .description("Print the stack trace of an error, also of a user mistake.")
                .build());
        cl.setParameterExceptionHandler((e, args) ->
                usageError(e.getCommandLine(), e.getMessage() + " (see " + e.getCommandLine().getCommandSpec().qualifiedName()
                        + " --help)", e, Arrays.asList(args).contains(VERBOSE)));
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (!(e instanceof UsageException)) {
                throw e;
            }
            return usageError(commandLine, e.getMessage(), e, verbose(parseResult));
        });
        return cl;
    }

    private static int usageError(CommandLine cl, String message, Exception e, boolean verbose) {
        PrintWriter err = cl.getErr();
        err.println(cl.getCommandSpec().qualifiedName() + ": " + String.valueOf(message).replaceAll("\\s*\\R\\s*", " "));
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static boolean verbose(ParseResult result) {
        for (ParseResult r = result; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption(VERBOSE)) {
                return true;
            }
        }
        return false;
    }
}
