package org.visionstream.jobs.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code visionstream job ...} as its own JVM, the way a user runs it, so that a test can kill it with
 * SIGKILL or stop it with SIGTERM and start the same command again. Output goes to a log file.
 */
final class JobProcess implements AutoCloseable {

    private static final Path CLI_JAR = Path.of(System.getProperty("visionstream.cli.jar", "target/visionstream-cli.jar"));

    private final Process process;
    private final Path log;

    private JobProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** An empty folder for one test's checkpoints and logs: a checkpoint left by an earlier run would be resumed. */
    static Path emptyDirectory(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }

    /**
     * The reliability tests account for every frame, detections included: read from the first frame, and
     * analysed however late (a restart's backlog is older than the default maximum frame age).
     */
    static final List<String> EVERY_FRAME = List.of("--start-from", "earliest", "--max-frame-age-ms", "0");

    static JobProcess start(Path logFile, List<String> jobArgs) {
        Path tmp = Path.of("target", "native-tmp").toAbsolutePath();
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of("-Xmx1g", "-XX:MaxDirectMemorySize=512m", "-Djava.io.tmpdir=" + tmp,
                "-Dorg.bytedeco.javacpp.cachedir=" + tmp.resolve("javacpp"), "-jar", CLI_JAR.toAbsolutePath().toString(), "job"));
        command.addAll(jobArgs);
        command.addAll(EVERY_FRAME);
        try {
            Files.createDirectories(logFile.getParent());
            Files.createDirectories(tmp);
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
            return new JobProcess(p, logFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL: no shutdown hook, no savepoint, as when the machine or the OOM killer takes the process. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then the exit code once the process has stopped (the job stops with a savepoint first). */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the job did not stop within 120 s of SIGTERM; log " + log);
        }
        return process.exitValue();
    }

    /** The exit code once the process ended by itself within {@code timeout}. */
    int exitCode(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the job process still runs after " + timeout + "; log " + log);
        }
        return process.exitValue();
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
