package org.visionstream.operators.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Debian's Python with torch and onnx, as the build uses it ({@code -Dvisionstream.python} overrides). */
public final class Python {

    private Python() {}

    /** Runs {@code python args...}, its stderr to the test's; fails the test unless it exits 0. Returns stdout. */
    public static String run(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("visionstream.python", "/usr/bin/python3"));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), "python " + args.get(0) + " failed");
        return stdout;
    }
}
