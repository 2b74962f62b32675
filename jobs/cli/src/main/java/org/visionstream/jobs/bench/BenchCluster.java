package org.visionstream.jobs.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.visionstream.jobs.cli.VisionStreamCli;
import org.visionstream.jobs.kafka.KafkaTopics;
import org.visionstream.jobs.produce.FrameProducer;

/**
 * The processes of one benchmark run (bench-pipeline, bench-load): a broker in its own JVM, and the jobs and
 * producers started against it, each in its own JVM, with their topics, logs and checkpoints under one work folder
 * and names that carry the run's id, so that each job run counts only its own output. Closing it kills the broker.
 */
final class BenchCluster implements AutoCloseable {

    static final Path HOME = Path.of(System.getProperty("visionstream.home", ".")).toAbsolutePath().normalize();
    static final Path SHARED = HOME.resolveSibling("shared");

    private static final Pattern PRODUCED = Pattern.compile("(?m)^(\\d+) frames of ");
    private static final Duration BROKER_START = Duration.ofSeconds(120);

    /** What a job process runs with, besides its topics; {@code pinCores}: the job's {@code --pin-cores}. */
    record JobSettings(Path model, String provider, int parallelism, int threads, long checkpointIntervalMs,
            boolean pinCores) {}

    /** The output topics of one job run. */
    record RunTopics(String events, String deadLetters, String objects) {}

    private final String run;
    private final Path workDir;
    private final Path logs;
    private final Path nativeTmp;
    private final ChildJvm broker;
    private final String bootstrapServers;

    private BenchCluster(String run, Path workDir, ChildJvm broker, String bootstrapServers) {
        this.run = run;
        this.workDir = workDir;
        this.logs = logsOf(workDir);
        this.nativeTmp = HOME.resolve("target/native-tmp");
        this.broker = broker;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Starts the broker and waits until it serves clients.
     *
     * @param workDir the run's folder, or null for {@code target/COMMAND/RUN}
     */
    static BenchCluster start(String command, Path workDir) throws InterruptedException {
        String run = Long.toString(System.currentTimeMillis(), 36);
        Path dir = (workDir != null ? workDir : HOME.resolve("target").resolve(command).resolve(run)).toAbsolutePath();
        ChildJvm broker = ChildJvm.start("broker", logsOf(dir), HOME.resolve("target/native-tmp"), "512m",
                BrokerMain.class, List.of(dir.resolve("kafka").toString()));
        try {
            return new BenchCluster(run, dir, broker, awaitBroker(broker));
        } catch (RuntimeException | InterruptedException e) {
            broker.close();
            throw e;
        }
    }

    private static Path logsOf(Path workDir) {
        return workDir.resolve("logs");
    }

    private static String awaitBroker(ChildJvm broker) throws InterruptedException {
        long deadline = System.nanoTime() + BROKER_START.toNanos();
        while (System.nanoTime() < deadline) {
            broker.requireAlive();
            for (String line : broker.output().lines().toList()) {
                if (line.startsWith(BrokerMain.READY)) {
                    return line.substring(BrokerMain.READY.length()).trim();
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the broker did not start in " + BROKER_START.toSeconds() + " s:\n" + broker.tail());
    }

    String run() {
        return run;
    }

    Path workDir() {
        return workDir;
    }

    Path logs() {
        return logs;
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    ChildJvm broker() {
        return broker;
    }

    /** {@code bench-RUN-NAME}: a topic or group name of this run. */
    String name(String name) {
        return "bench-" + run + "-" + name;
    }

    void createTopics(int partitions, String... topics) {
        try (Admin admin = admin()) {
            for (String topic : topics) {
                KafkaTopics.ensure(admin, topic, partitions, FrameProducer.MAX_REQUEST_BYTES);
            }
        }
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    RunTopics createRunTopics(String name, int partitions) {
        String prefix = name(name);
        RunTopics topics = new RunTopics(prefix + "-detections", prefix + "-dlq", prefix + "-objects");
        createTopics(partitions, topics.events(), topics.deadLetters(), topics.objects());
        return topics;
    }

    /** The consumer group of the job run {@code name}, whose committed offsets say how far it has read. */
    String groupId(String name) {
        return name(name);
    }

    /** {@code visionstream job} as its own process, exactly-once, with its own group and checkpoint folder. */
    ChildJvm startJob(String name, String framesTopic, RunTopics out, JobSettings job) {
        List<String> args = new ArrayList<>(List.of("job",
                "--bootstrap-servers", bootstrapServers, "--model", job.model().toString(), "--provider", job.provider(),
                "--frames-topic", framesTopic, "--events-topic", out.events(), "--dead-letter-topic", out.deadLetters(),
                "--objects-topic", out.objects(),
                "--group-id", groupId(name), "--parallelism", Integer.toString(job.parallelism()),
                "--threads", Integer.toString(job.threads()),
                "--checkpoint-interval-ms", Long.toString(job.checkpointIntervalMs()),
                "--checkpoint-dir", workDir.resolve("checkpoints").resolve(name).toString(),
                // Every frame measured: a topic filled beforehand from its first frame, a backlog analysed, never
                // skipped (an overload then shows as growing lag, not as skipped frames).
                "--start-from", "earliest", "--max-frame-age-ms", "0"));
        if (job.pinCores()) {
            args.add("--pin-cores");
        }
        return startChild("job-" + name, "1g", VisionStreamCli.class, args);
    }

    ChildJvm startChild(String name, String heap, Class<?> main, List<String> args) {
        return ChildJvm.start(name, logs, nativeTmp, heap, main, args);
    }

    /**
     * Runs {@code visionstream produce} processes, all at once, one per entry (its arguments after {@code produce
     * --bootstrap-servers ...}); returns the frames they sent together.
     */
    int produce(String name, List<List<String>> produceArgs, Duration timeout) throws InterruptedException {
        List<ChildJvm> producers = new ArrayList<>();
        try {
            for (int i = 0; i < produceArgs.size(); i++) {
                List<String> args = new ArrayList<>(List.of("produce", "--bootstrap-servers", bootstrapServers));
                args.addAll(produceArgs.get(i));
                producers.add(startChild(name + "-" + i, "512m", VisionStreamCli.class, args));
            }
            int sent = 0;
            for (ChildJvm producer : producers) {
                Matcher m = PRODUCED.matcher(producer.awaitSuccess(timeout));
                if (!m.find()) {
                    throw new IllegalStateException("no summary from " + name + ":\n" + producer.tail());
                }
                sent += Integer.parseInt(m.group(1));
            }
            return sent;
        } finally {
            for (ChildJvm producer : producers) {
                producer.close();
            }
        }
    }

    /** Stops the broker the normal way (it deletes its storage); {@link #close} kills it. */
    void stop() throws IOException, InterruptedException {
        broker.closeInput();
        broker.awaitSuccess(Duration.ofSeconds(60));
    }

    @Override
    public void close() throws InterruptedException {
        broker.close();
    }

    /**
     * Camera ids whose frames the producer's partitioner puts on partitions 0, 1, ... of a topic with
     * {@code cameras} partitions, so that each camera has a partition (and a job subtask) of its own.
     */
    static List<String> camerasOnDistinctPartitions(int cameras) {
        String[] ids = new String[cameras];
        int found = 0;
        for (int k = 1; found < cameras; k++) {
            String id = "bench-camera-" + k;
            int partition = BuiltInPartitioner.partitionForKey(id.getBytes(StandardCharsets.UTF_8), cameras);
            if (ids[partition] == null) {
                ids[partition] = id;
                found++;
            }
        }
        return List.of(ids);
    }

    /** The 1, 5 and 15 minute load averages: how much else the machine was doing. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
