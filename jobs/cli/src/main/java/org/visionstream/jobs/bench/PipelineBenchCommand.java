package org.visionstream.jobs.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.visionstream.jobs.bench.BenchReport.Ratio;
import org.visionstream.jobs.cli.BenchCommand;
import org.visionstream.jobs.cli.VisionStreamCli;
import org.visionstream.jobs.detection.DetectionJobOptions;
import org.visionstream.jobs.kafka.CommittedRecordsReader;
import org.visionstream.jobs.kafka.KafkaTopics;
import org.visionstream.jobs.produce.FrameProducer;
import org.visionstream.operators.bundle.ModelManifest;
import org.visionstream.operators.bundle.ModelBundle;
import org.visionstream.operators.detect.DetectorOptions;
import org.visionstream.operators.frames.FrameHeaders;
import org.visionstream.operators.inference.ExecutionProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code visionstream bench-pipeline}: in one run on one machine and bundle, the model alone (the three graphs, the
 * detector core, the TorchScript model) and the whole job Kafka to Kafka, each in its own processes beside a broker
 * process, draining a frames topic filled beforehand and with live producer processes, at each parallelism. Prints
 * one table and the ratios of their frames per second (docs/performance.md).
 */
@Command(
        name = "bench-pipeline",
        mixinStandardHelpOptions = true,
        description = "Frames/s and p50/p99 latency of the bare graphs, the detector, the TorchScript model and the "
                + "Flink job (broker, job and producers as separate processes), in one table.")
public final class PipelineBenchCommand implements Callable<Integer> {

    private static final Path HOME = Path.of(System.getProperty("visionstream.home", ".")).toAbsolutePath().normalize();
    private static final Path SHARED = HOME.resolveSibling("shared");
    private static final Pattern PRODUCED = Pattern.compile("(?m)^(\\d+) frames of ");

    @Option(names = "--model", paramLabel = "DIR", description = "Model bundle (default: the D2Go bundle).")
    Path model = HOME.resolve("model-assets/target/bundles/d2go-fbnetv3a-c4-coco");

    @Option(names = "--video", paramLabel = "FILE", description = "Video the cameras send (default: the shared car video).")
    Path video = SHARED.resolve("media/video/car-detection.mp4");

    @Option(names = "--frames", defaultValue = "200", description = "Timed frames per camera (default: ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--warmup", defaultValue = "10",
            description = "Untimed frames first, per camera and in each loop (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--cameras", defaultValue = "2",
            description = "Cameras, each on its own partition of the frames topic (default: ${DEFAULT-VALUE}).")
    int cameras;

    @Option(names = "--fps", defaultValue = "0",
            description = "Frames per second sampled from the video, and the pace of a live camera; 0 = every frame at the video's rate (default: ${DEFAULT-VALUE}).")
    double fps;

    @Option(names = "--threads", defaultValue = "1",
            description = "Intra-op threads of every model instance: ONNX Runtime in each row and job subtask, torch in (d) (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--parallelism", split = ",", defaultValue = "1,2", description = "Job parallelisms (default: ${DEFAULT-VALUE}).")
    List<Integer> parallelisms;

    @Option(names = "--checkpoint-interval-ms", defaultValue = "1000",
            description = "The job's checkpoint interval: exactly-once events are committed, and readable, at each (default: ${DEFAULT-VALUE}).")
    long checkpointIntervalMs;

    @Option(names = "--provider", defaultValue = "cpu", description = "cpu, cuda[:N] or tensorrt[:N] (default: ${DEFAULT-VALUE}).")
    String provider;

    @Option(names = "--weights", paramLabel = "FILE", description = "TorchScript model of row (d); the row is left out when the file is missing (default: the shared d2go.pt).")
    Path weights = SHARED.resolve("models/d2go-fbnetv3a-c4-coco/d2go.pt");

    @Option(names = "--python", description = "Python with torch for row (d) (default: ${DEFAULT-VALUE}).")
    String python = "/usr/bin/python3";

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Logs, frames and checkpoints (default: target/bench-pipeline/RUN).")
    Path workDir;

    private String run;
    private Path nativeTmp;
    private Path logs;
    private ChildJvm broker;
    private String bootstrapServers;
    private List<String> cameraIds;

    @Override
    public Integer call() throws Exception {
        run = Long.toString(System.currentTimeMillis(), 36);
        workDir = (workDir != null ? workDir : HOME.resolve("target/bench-pipeline").resolve(run)).toAbsolutePath();
        nativeTmp = HOME.resolve("target/native-tmp");
        logs = workDir.resolve("logs");
        cameraIds = camerasOnDistinctPartitions(cameras);
        String loadBefore = loadAverage();
        ModelManifest manifest = ModelBundle.load(model).manifest();
        DetectorOptions detector = DetectorOptions.builder()
                .bundle(model)
                .classes(DetectionJobOptions.DEFAULT_CLASSES)
                .executionProvider(ExecutionProvider.parse(provider))
                .intraOpThreads(threads)
                .build();
        List<Measurement> rows = new ArrayList<>();
        try (ChildJvm broker = ChildJvm.start("broker", logs, nativeTmp, "512m", BrokerMain.class,
                List.of(workDir.resolve("kafka").toString()))) {
            this.broker = broker;
            bootstrapServers = awaitBroker(broker);
            String filled = "bench-" + run + "-frames";
            createTopics(filled);
            int sent = produce("fill", filled, 0, warmup + frames, false);
            List<byte[]> timedFrames = readFrames(filled, sent);
            progress("(a) the three graphs");
            rows.add(ModelLoops.rawGraphs(detector, timedFrames.get(0), warmup, timedFrames.size()));
            progress("(b) the detector core");
            rows.addAll(ModelLoops.detector(detector, timedFrames, warmup));
            for (int p : parallelisms) {
                rows.add(drain(filled, sent, p));
            }
            for (int p : parallelisms) {
                rows.add(live(p));
            }
            broker.closeInput();
            broker.awaitSuccess(Duration.ofSeconds(60));
        }
        if (Files.isRegularFile(weights)) {
            progress("(d) the TorchScript model");
            rows.add(torchScript(workDir.resolve("frames")));
        } else {
            progress("no " + weights + ": row (d) left out");
        }
        List<Ratio> ratios = new ArrayList<>();
        for (Measurement m : rows) {
            if (m.id().startsWith("c ")) {
                ratios.add(new Ratio(m.id(), "a"));
                ratios.add(new Ratio(m.id(), "b"));
            }
        }
        ratios.add(new Ratio("b", "d"));
        System.out.print(BenchReport.format(header(manifest, loadBefore), rows, ratios));
        return 0;
    }

    private List<String> header(ModelManifest manifest, String loadBefore) {
        return List.of(
                String.format(Locale.ROOT, "model %s %s on %s; every model instance with %d intra-op thread(s) "
                        + "(ONNX Runtime in a, b and each job subtask; torch.set_num_threads in d)",
                        manifest.name(), manifest.version(), provider, threads),
                String.format(Locale.ROOT, "video %s, %s; %d camera(s) on %d partition(s), %d timed frames each "
                        + "after %d warm-up frames", video.getFileName(), fps == 0 ? "every frame" : fps + " fps",
                        cameras, cameras, frames, warmup),
                String.format(Locale.ROOT, "job: `visionstream job` process, exactly-once, checkpoints every %d ms; "
                        + "broker and producers in their own processes; events read read_committed", checkpointIntervalMs),
                String.format(Locale.ROOT, "machine: %s, %d cores, Java %s; load average %s before, %s after",
                        BenchCommand.cpuModel(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                        loadBefore, loadAverage()),
                "latency: a, b, d per frame in one loop; c from the job's Kafka source to detection (decode, queues, "
                        + "detector); e2e: capture to arrival at a read_committed consumer (live cameras only)",
                "logs: " + logs);
    }

    /** (c) with the frames already in Kafka: the job's throughput with nothing else running. */
    private Measurement drain(String framesTopic, int sent, int parallelism) throws Exception {
        String name = "drain-p" + parallelism;
        progress("(c) the job at parallelism " + parallelism + ", draining " + sent + " frames");
        RunTopics out = createRunTopics(name);
        try (ChildJvm job = startJob(name, framesTopic, out, parallelism);
                EventCollector events = new EventCollector(bootstrapServers, out.events(), out.deadLetters())) {
            events.await(warmup * cameras, timeout(sent, parallelism), job);
            CpuWindow cpu = new CpuWindow(job);
            events.await(sent, timeout(sent, parallelism), job);
            return Measurement.ofEvents("c p" + parallelism + " drain",
                    "job, parallelism " + parallelism + ", draining a filled topic", events.events(), warmup, false,
                    cpu.jobMillisPerFrame(events.events()), cpu.brokerNote(events.events()));
        }
    }

    /**
     * (c) with live cameras: warm-up frames first (the job is ready once their events arrive), then one producer
     * process per camera sends the timed frames at the video's pace, capture time = send time.
     */
    private Measurement live(int parallelism) throws Exception {
        String name = "live-p" + parallelism;
        progress("(c) the job at parallelism " + parallelism + " with " + cameras + " live camera(s)");
        String framesTopic = "bench-" + run + "-" + name + "-frames";
        createTopics(framesTopic);
        RunTopics out = createRunTopics(name);
        try (ChildJvm job = startJob(name, framesTopic, out, parallelism);
                EventCollector events = new EventCollector(bootstrapServers, out.events(), out.deadLetters())) {
            int warm = produce(name + "-warmup", framesTopic, 0, warmup, false);
            events.await(warm, timeout(warm, parallelism).plusSeconds(60), job);
            CpuWindow cpu = new CpuWindow(job);
            int sent = produce(name, framesTopic, warmup, frames, true);
            events.await(warm + sent, timeout(sent, parallelism), job);
            double jobCpu = cpu.jobMillisPerFrame(events.events());
            String brokerCpu = cpu.brokerNote(events.events());
            // each camera's own rate: the producer processes start a moment apart
            double offered = 0;
            for (String camera : cameraIds) {
                offered += Measurement.rate(events.events().stream()
                        .filter(a -> a.event().cameraId().equals(camera) && a.event().sequence() >= warmup)
                        .mapToLong(a -> a.event().captureTimestamp())
                        .toArray());
            }
            return Measurement.ofEvents("c p" + parallelism + " live", "job, parallelism " + parallelism
                    + ", live producer processes", events.events(), warmup, true, jobCpu,
                    String.format(Locale.ROOT, "offered %.1f frames/s; %s", offered, brokerCpu));
        }
    }

    /**
     * CPU the job and the broker processes use per frame detected from now on, next to the detector's own.
     * Includes what the job does while it waits for the last commit (checkpoints, heartbeats), which is little.
     */
    private final class CpuWindow {
        private final ChildJvm job;
        private final long startMillis = System.currentTimeMillis();
        private final double jobStart;
        private final double brokerStart;

        CpuWindow(ChildJvm job) {
            this.job = job;
            this.jobStart = job.cpuSeconds();
            this.brokerStart = broker.cpuSeconds();
        }

        double jobMillisPerFrame(List<EventCollector.Arrived> events) {
            return (job.cpuSeconds() - jobStart) * 1000 / framesSince(events);
        }

        String brokerNote(List<EventCollector.Arrived> events) {
            return String.format(Locale.ROOT, "broker CPU %.1f ms/frame", (broker.cpuSeconds() - brokerStart) * 1000 / framesSince(events));
        }

        private long framesSince(List<EventCollector.Arrived> events) {
            return events.stream().filter(a -> a.event().detectTimestamp() > startMillis).count();
        }
    }

    /** (d): the TorchScript model on the timed frames of the first camera, in Python. */
    private Measurement torchScript(Path frameDir) throws Exception {
        List<String> command = new ArrayList<>(List.of(python, HOME.resolve("model-assets/bench_torchscript.py").toString(),
                "--weights", weights.toString(), "--threads", Integer.toString(threads), "--warmup", Integer.toString(warmup)));
        try (var files = Files.list(frameDir)) {
            files.sorted().forEach(f -> command.add(f.toString()));
        }
        Path log = logs.resolve("torchscript.log");
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        if (p.waitFor() != 0 || lines.size() != 3) {
            throw new IllegalStateException("bench_torchscript.py failed (exit " + p.exitValue() + "); see " + log);
        }
        double[] millis = Arrays.stream(lines.get(1).trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
        double total = Arrays.stream(millis).sum();
        double cpuSeconds = Double.parseDouble(lines.get(2).replace("cpu ", ""));
        return new Measurement("d", "TorchScript model, inference only", millis.length / (total / 1000),
                cpuSeconds * 1000 / millis.length, Measurement.Latency.of(millis), "per frame", null, lines.get(0));
    }

    private String awaitBroker(ChildJvm broker) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            broker.requireAlive();
            for (String line : broker.output().lines().toList()) {
                if (line.startsWith(BrokerMain.READY)) {
                    return line.substring(BrokerMain.READY.length()).trim();
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the broker did not start in 120 s:\n" + broker.tail());
    }

    /** One producer process per camera, all at once; returns the frames they sent. */
    private int produce(String name, String topic, long startSequence, int count, boolean realtime) throws Exception {
        List<ChildJvm> producers = new ArrayList<>();
        try {
            for (String camera : cameraIds) {
                List<String> args = new ArrayList<>(List.of("produce", "--bootstrap-servers", bootstrapServers,
                        "--topic", topic, "--camera-id", camera, "--fps", Double.toString(fps),
                        "--max-frames", Integer.toString(count), "--start-sequence", Long.toString(startSequence)));
                if (realtime) {
                    args.add("--realtime");
                }
                args.add(video.toString());
                producers.add(ChildJvm.start(name + "-" + camera, logs, nativeTmp, "512m", VisionStreamCli.class, args));
            }
            int sent = 0;
            for (ChildJvm producer : producers) {
                Matcher m = PRODUCED.matcher(producer.awaitSuccess(Duration.ofSeconds(120 + count)));
                if (!m.find()) {
                    throw new IllegalStateException("no summary from " + name + ":\n" + producer.tail());
                }
                sent += Integer.parseInt(m.group(1));
            }
            if (sent != count * cameraIds.size()) {
                throw new IllegalStateException(sent + " frames sent instead of " + count * cameraIds.size()
                        + ": is the video long enough?");
            }
            return sent;
        } finally {
            for (ChildJvm producer : producers) {
                producer.close();
            }
        }
    }

    /**
     * The first camera's timed frames as the job reads them, in sequence order; also written as JPEG files for
     * row (d).
     */
    private List<byte[]> readFrames(String topic, int sent) throws IOException {
        List<ConsumerRecord<byte[], byte[]>> records;
        try (CommittedRecordsReader reader = new CommittedRecordsReader(bootstrapServers, List.of(topic),
                FrameProducer.MAX_REQUEST_BYTES)) {
            records = reader.readAtLeast(sent, Duration.ofSeconds(60));
        }
        String camera = cameraIds.get(0);
        List<ConsumerRecord<byte[], byte[]>> timed = records.stream()
                .filter(r -> camera.equals(header(r, FrameHeaders.CAMERA_ID)))
                .filter(r -> Long.parseLong(header(r, FrameHeaders.SEQUENCE)) >= warmup)
                .sorted(Comparator.comparingLong(r -> Long.parseLong(header(r, FrameHeaders.SEQUENCE))))
                .toList();
        if (timed.size() != frames) {
            throw new IllegalStateException("read " + timed.size() + " timed frames of " + camera + ", expected " + frames);
        }
        Path dir = Files.createDirectories(workDir.resolve("frames"));
        List<byte[]> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : timed) {
            Files.write(dir.resolve(String.format(Locale.ROOT, "%06d.jpg", Long.parseLong(header(r, FrameHeaders.SEQUENCE)))),
                    r.value());
            out.add(r.value());
        }
        return out;
    }

    private ChildJvm startJob(String name, String framesTopic, RunTopics out, int parallelism) {
        return ChildJvm.start("job-" + name, logs, nativeTmp, "1g", VisionStreamCli.class, List.of("job",
                "--bootstrap-servers", bootstrapServers, "--model", model.toString(), "--provider", provider,
                "--frames-topic", framesTopic, "--events-topic", out.events(), "--dead-letter-topic", out.deadLetters(),
                "--objects-topic", out.objects(),
                "--group-id", "bench-" + run + "-" + name, "--parallelism", Integer.toString(parallelism),
                "--threads", Integer.toString(threads), "--checkpoint-interval-ms", Long.toString(checkpointIntervalMs),
                "--checkpoint-dir", workDir.resolve("checkpoints").resolve(name).toString(),
                // Every frame measured: the filled topic from its first frame, its backlog analysed, never skipped.
                "--start-from", "earliest", "--max-frame-age-ms", "0"));
    }

    /** The output topics of one job run, so that each run counts only its own output. */
    private record RunTopics(String events, String deadLetters, String objects) {}

    private RunTopics createRunTopics(String name) {
        String prefix = "bench-" + run + "-" + name;
        RunTopics topics = new RunTopics(prefix + "-detections", prefix + "-dlq", prefix + "-objects");
        createTopics(topics.events(), topics.deadLetters(), topics.objects());
        return topics;
    }

    private void createTopics(String... topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            for (String topic : topics) {
                KafkaTopics.ensure(admin, topic, cameras, FrameProducer.MAX_REQUEST_BYTES);
            }
        }
    }

    /** Job start-up plus a second per frame and subtask, far above any rate this job reaches. */
    private static Duration timeout(int frames, int parallelism) {
        return Duration.ofSeconds(120 + frames / parallelism);
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

    private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    private static void progress(String what) {
        System.err.println("bench-pipeline: " + what);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
