package org.visionstream.jobs.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A main class of this command line's class path run as its own JVM (the broker, a producer, a job), with
 * stdout and stderr in a log file. Killed when closed or when this JVM exits, so a Ctrl-C leaves nothing behind.
 */
final class ChildJvm implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;
    private final Thread killOnExit;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.killOnExit = new Thread(process::destroyForcibly, "kill-" + name);
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * @param nativeTmp java.io.tmpdir and JavaCPP's cache, as bin/visionstream sets them
     * @param heap -Xmx of the child
     */
    static ChildJvm start(String name, Path logDir, Path nativeTmp, String heap, Class<?> main, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of("-Xmx" + heap, "-XX:MaxDirectMemorySize=512m", "-Djava.io.tmpdir=" + nativeTmp,
                "-Dorg.bytedeco.javacpp.cachedir=" + nativeTmp.resolve("javacpp"),
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        Path log = logDir.resolve(name + ".log");
        try {
            Files.createDirectories(logDir);
            Files.createDirectories(nativeTmp);
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new ChildJvm(name, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", command), e);
        }
    }

    /** Closes the child's stdin: the broker process stops when it reads end of file. */
    void closeInput() throws IOException {
        process.getOutputStream().close();
    }

    /** Waits for the child to exit by itself and returns its output; fails, with the output, on a non-zero exit. */
    String awaitSuccess(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " still runs after " + timeout.toSeconds() + " s; log " + log);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + "; log " + log + ":\n" + tail());
        }
        return output();
    }

    /** Fails, with the last lines of the log, if the child has exited. */
    void requireAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + "; log " + log + ":\n" + tail());
        }
    }

    /**
     * User plus system CPU seconds the child has used so far (/proc/PID/stat; Linux counts them in USER_HZ ticks,
     * 100 per second on every architecture the JVM runs on).
     */
    double cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            // fields after the parenthesised command name, which may itself hold spaces: state is field 3
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CPU time of " + name, e);
        }
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    String tail() {
        List<String> lines = output().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    /** SIGKILL, then waits for the exit: the benchmark keeps nothing of a job's state. */
    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // already shutting down: the hook kills what is left
        }
    }
}
