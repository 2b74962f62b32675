package org.visionstream.jobs.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The standalone cluster of {@code deploy/local-cluster/cluster.sh}: a Kafka broker, a JobManager and
 * TaskManagers, each its own JVM on 127.0.0.1, driven the way an operator would drive them. Every call
 * runs the script and fails with its output when it fails.
 */
final class LocalCluster implements AutoCloseable {

    private static final Path SCRIPT = Path.of(System.getProperty("visionstream.cluster.script",
            "../../deploy/local-cluster/cluster.sh")).toAbsolutePath();

    private final Path dir;
    private final String bootstrapServers;

    private LocalCluster(Path dir, String bootstrapServers) {
        this.dir = dir;
        this.bootstrapServers = bootstrapServers;
    }

    static LocalCluster start(Path dir, int taskManagers, int slots) throws IOException, InterruptedException {
        String out = run(dir, 300, "start", "--taskmanagers", Integer.toString(taskManagers), "--slots", Integer.toString(slots));
        String servers = out.lines().filter(l -> l.startsWith("bootstrap.servers=")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no bootstrap.servers in: " + out)).substring("bootstrap.servers=".length());
        return new LocalCluster(dir, servers.trim());
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /** {@code flink run -d}; returns the job id. */
    String submit(Path jar, int parallelism, String savepoint, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("submit", "-p", Integer.toString(parallelism)));
        if (savepoint != null) {
            command.addAll(List.of("--from-savepoint", savepoint));
        }
        command.add(jar.toString());
        command.addAll(args);
        String jobId = lastLine(run(dir, 180, command.toArray(String[]::new)));
        run(dir, 180, "wait-job", jobId, "RUNNING", "--timeout", "150");
        return jobId;
    }

    /** Stop with a savepoint; returns its path. */
    String stopWithSavepoint(String jobId) throws IOException, InterruptedException {
        return lastLine(run(dir, 180, "stop-job", jobId));
    }

    /** Cancels the job if it still runs, so that the next test has the slots; a job already ended is fine. */
    void cancelQuietly(String jobId) throws InterruptedException {
        try {
            run(dir, 120, "cancel", jobId);
        } catch (IOException | IllegalStateException e) {
            System.err.println("cancel " + jobId + ": " + e.getMessage());
        }
    }

    void killTaskManager(int i) throws IOException, InterruptedException {
        run(dir, 60, "kill-taskmanager", Integer.toString(i));
    }

    void startTaskManager(int i, int expectedTaskManagers) throws IOException, InterruptedException {
        run(dir, 120, "start-taskmanager", Integer.toString(i));
        run(dir, 120, "wait-taskmanagers", Integer.toString(expectedTaskManagers), "--timeout", "90");
    }

    void killBroker() throws IOException, InterruptedException {
        run(dir, 60, "kill-broker");
    }

    void startBroker() throws IOException, InterruptedException {
        run(dir, 180, "start-broker");
    }

    /** The PID of TaskManager {@code i}, from the script's pid file. */
    long taskManagerPid(int i) throws IOException {
        return Long.parseLong(Files.readString(dir.resolve("pids/taskmanager-" + i + ".pid")).trim());
    }

    Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run(dir, 120, "stop");
    }

    private static String lastLine(String out) {
        List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
        return lines.get(lines.size() - 1).trim();
    }

    /** Runs the script; returns its standard output, or fails with everything it printed. */
    private static String run(Path dir, int timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        Files.createDirectories(dir);
        // Files, not pipes: the processes `start` leaves running must not hold our end open.
        Path out = Files.createTempFile(dir.getParent(), "cluster-", ".out");
        Path err = Files.createTempFile(dir.getParent(), "cluster-", ".err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("CLUSTER_DIR", dir.toString());
        Process p = pb.start();
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        String stdout = Files.readString(out);
        String stderr = Files.readString(err);
        Files.delete(out);
        Files.delete(err);
        if (!done) {
            p.destroyForcibly();
            throw new IllegalStateException("cluster.sh " + String.join(" ", args) + " took over " + timeoutSeconds + " s: " + stderr);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("cluster.sh " + String.join(" ", args) + " failed (" + p.exitValue() + "): "
                    + stdout + stderr);
        }
        return stdout;
    }
}
