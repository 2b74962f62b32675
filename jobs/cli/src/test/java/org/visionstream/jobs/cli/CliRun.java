package org.visionstream.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One in-process run of {@code visionstream ARGS}: exit code and everything printed on stdout and stderr. */
record CliRun(int exit, String out, String err) {

    static CliRun of(String... args) {
        // picocli and the commands print to System.out/err: capture both around a fresh command line.
        PrintStream sysOut = System.out;
        PrintStream sysErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = VisionStreamCli.commandLine().execute(args);
        } finally {
            System.setOut(sysOut);
            System.setErr(sysErr);
        }
        return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Exit code 2 and exactly one line, {@code visionstream COMMAND: ...} containing {@code fragment}, no stack trace. */
    CliRun assertUsageError(String command, String fragment) {
        String all = out + err;
        assertEquals(2, exit, all);
        List<String> lines = all.lines().toList();
        assertEquals(1, lines.size(), all);
        assertTrue(lines.get(0).startsWith(command.isEmpty() ? "visionstream: " : "visionstream " + command + ": "), all);
        assertTrue(lines.get(0).contains(fragment), all);
        assertFalse(all.contains("Exception") || all.contains("\tat ") || all.contains("at org."), all);
        return this;
    }
}
