package org.visionstream.jobs.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** User mistakes are one line and exit code 2; machinery failures keep their stack trace. */
class CommandLineFactoryTest {

    @Command(name = "tool", subcommands = Fail.class)
    static final class Tool {}

    @Command(name = "fail")
    static final class Fail implements Callable<Integer> {
        @Option(names = "--how")
        String how = "user";

        @Override
        public Integer call() {
            if (how.equals("user")) {
                throw new UsageException("the thing is wrong:\n  do this instead");
            }
            throw new IllegalStateException("the session died");
        }
    }

    private static String[] run(String... args) {
        CommandLine cl = CommandLineFactory.create(new Tool());
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new String[] {Integer.toString(exit), err.toString()};
    }

    @Test
    void aUsageExceptionIsOneLineWithExitCode2() {
        String[] r = run("fail");
        assertEquals("2", r[0]);
        assertEquals("tool fail: the thing is wrong: do this instead" + System.lineSeparator(), r[1]);
    }

    @Test
    void aMachineryFailureKeepsItsStackTraceAndExitCode1() {
        String[] r = run("fail", "--how", "machine");
        assertEquals("1", r[0]);
        assertTrue(r[1].contains("java.lang.IllegalStateException: the session died") && r[1].contains("\tat "), r[1]);
    }

    @Test
    void verboseAddsTheStackTraceOnEitherSideOfTheSubcommand() {
        for (String[] args : new String[][] {{"--verbose", "fail"}, {"fail", "--verbose"}}) {
            String[] r = run(args);
            assertEquals("2", r[0]);
            assertTrue(r[1].startsWith("tool fail: the thing is wrong") && r[1].contains("UsageException") && r[1].contains("\tat "),
                    r[1]);
        }
    }

    @Test
    void aParseErrorIsOneLinePointingToHelp() {
        String[] r = run("fail", "--how");
        assertEquals("2", r[0]);
        assertEquals("tool fail: Missing required parameter for option '--how' (<how>) (see tool fail --help)"
                + System.lineSeparator(), r[1]);
    }
}
