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
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.visionstream.jobs.bench.BenchCluster.RunTopics;
import org.visionstream.jobs.bench.BenchReport.Ratio;
import org.visionstream.jobs.cli.BenchCommand;
import org.visionstream.jobs.detection.DetectionJobOptions;
import org.visionstream.jobs.kafka.CommittedRecordsReader;
import org.visionstream.jobs.produce.FrameProducer;
import org.visionstream.operators.bundle.ModelManifest;
import org.visionstream.operators.bundle.ModelBundle;
import org.visionstream.operators.detect.DetectorOptions;
import org.visionstream.operators.frames.FrameHeaders;
import org.visionstream.operators.inference.ExecutionProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    private static final Path HOME = BenchCluster.HOME;
    private static final Path SHARED = BenchCluster.SHARED;

    @Mixin
    BenchJobOptions jobOptions;

    @Option(names = "--video", paramLabel = "FILE", description = "Video the cameras send (default: the shared car video).")
    Path video = SHARED.resolve("media/video/car-detection.mp4");

    @Option(names = "--frames", defaultValue = "200", description = "Timed frames per camera (default: ${DEFAULT-VALUE}).")
    int frames;

    // The job's JVM compiles Flink's, Kafka's and the detector's code for its first minute or so: after 10
    // warm-up frames per camera its JIT compiler threads still took a quarter of its CPU in the timed window.
    @Option(names = "--warmup", defaultValue = "150",
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

    @Option(names = "--weights", paramLabel = "FILE", description = "TorchScript model of row (d); the row is left out when the file is missing (default: the shared d2go.pt).")
    Path weights = SHARED.resolve("models/d2go-fbnetv3a-c4-coco/d2go.pt");

    @Option(names = "--python", description = "Python with torch for row (d) (default: ${DEFAULT-VALUE}).")
    String python = "/usr/bin/python3";

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Logs, frames and checkpoints (default: target/bench-pipeline/RUN).")
    Path workDir;

    private BenchCluster cluster;
    private List<String> cameraIds;

    @Override
    public Integer call() throws Exception {
        cameraIds = BenchCluster.camerasOnDistinctPartitions(cameras);
        String loadBefore = BenchCluster.loadAverage();
        ModelManifest manifest = ModelBundle.load(jobOptions.model).manifest();
        DetectorOptions detector = DetectorOptions.builder()
                .bundle(jobOptions.model)
                .classes(DetectionJobOptions.DEFAULT_CLASSES)
                .executionProvider(ExecutionProvider.parse(jobOptions.provider))
                .intraOpThreads(threads)
                .build();
        List<Measurement> rows = new ArrayList<>();
        try (BenchCluster started = BenchCluster.start("bench-pipeline", workDir)) {
            cluster = started;
            String filled = cluster.name("frames");
            cluster.createTopics(cameras, filled);
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
            cluster.stop();
        }
        if (Files.isRegularFile(weights)) {
            progress("(d) the TorchScript model");
            rows.add(torchScript(cluster.workDir().resolve("frames")));
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
                        manifest.name(), manifest.version(), jobOptions.provider, threads),
                String.format(Locale.ROOT, "video %s, %s; %d camera(s) on %d partition(s), %d timed frames each "
                        + "after %d warm-up frames", video.getFileName(), fps == 0 ? "every frame" : fps + " fps",
                        cameras, cameras, frames, warmup),
                "job: `visionstream job` process, " + jobOptions.describe()
                        + "; broker and producers in their own processes; events read read_committed",
                String.format(Locale.ROOT, "machine: %s, %d cores, Java %s; load average %s before, %s after",
                        BenchCommand.cpuModel(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                        loadBefore, BenchCluster.loadAverage()),
                "latency: a, b, d per frame in one loop; c from the job's Kafka source to detection (decode, queues, "
                        + "detector); e2e: capture to arrival at a read_committed consumer (live cameras only)",
                "logs: " + cluster.logs());
    }

    /** (c) with the frames already in Kafka: the job's throughput with nothing else running. */
    private Measurement drain(String framesTopic, int sent, int parallelism) throws Exception {
        String name = "drain-p" + parallelism;
        progress("(c) the job at parallelism " + parallelism + ", draining " + sent + " frames");
        RunTopics out = cluster.createRunTopics(name, cameras);
        try (ChildJvm job = cluster.startJob(name, framesTopic, out, jobSettings(parallelism));
                EventCollector events = new EventCollector(cluster.bootstrapServers(), out.events(), out.deadLetters())) {
            events.await(warmup * cameras, timeout(sent, parallelism), job);
            CpuWindow cpu = new CpuWindow(job);
            events.await(sent, timeout(sent, parallelism), job);
            return Measurement.ofEvents("c p" + parallelism + " drain",
                    "job, parallelism " + parallelism + ", draining a filled topic", events.events(), warmup, parallelism, false,
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
        String framesTopic = cluster.name(name + "-frames");
        cluster.createTopics(cameras, framesTopic);
        RunTopics out = cluster.createRunTopics(name, cameras);
        try (ChildJvm job = cluster.startJob(name, framesTopic, out, jobSettings(parallelism));
                EventCollector events = new EventCollector(cluster.bootstrapServers(), out.events(), out.deadLetters())) {
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
                    + ", live producer processes", events.events(), warmup, parallelism, true, jobCpu,
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
            this.brokerStart = cluster.broker().cpuSeconds();
        }

        double jobMillisPerFrame(List<EventCollector.Arrived> events) {
            return (job.cpuSeconds() - jobStart) * 1000 / framesSince(events);
        }

        String brokerNote(List<EventCollector.Arrived> events) {
            return String.format(Locale.ROOT, "broker CPU %.1f ms/frame", (cluster.broker().cpuSeconds() - brokerStart) * 1000 / framesSince(events));
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
        Path log = cluster.logs().resolve("torchscript.log");
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

    /** One producer process per camera, all at once; returns the frames they sent. */
    private int produce(String name, String topic, long startSequence, int count, boolean realtime) throws Exception {
        List<List<String>> producers = new ArrayList<>();
        for (String camera : cameraIds) {
            List<String> args = new ArrayList<>(List.of("--topic", topic, "--camera-id", camera,
                    "--fps", Double.toString(fps), "--max-frames", Integer.toString(count),
                    "--start-sequence", Long.toString(startSequence)));
            if (realtime) {
                args.add("--realtime");
            }
            args.add(video.toString());
            producers.add(args);
        }
        int sent = cluster.produce(name, producers, Duration.ofSeconds(120 + count));
        if (sent != count * cameraIds.size()) {
            throw new IllegalStateException(sent + " frames sent instead of " + count * cameraIds.size()
                    + ": is the video long enough?");
        }
        return sent;
    }

    /**
     * The first camera's timed frames as the job reads them, in sequence order; also written as JPEG files for
     * row (d).
     */
    private List<byte[]> readFrames(String topic, int sent) throws IOException {
        List<ConsumerRecord<byte[], byte[]>> records;
        try (CommittedRecordsReader reader = new CommittedRecordsReader(cluster.bootstrapServers(), List.of(topic),
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
        Path dir = Files.createDirectories(cluster.workDir().resolve("frames"));
        List<byte[]> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : timed) {
            Files.write(dir.resolve(String.format(Locale.ROOT, "%06d.jpg", Long.parseLong(header(r, FrameHeaders.SEQUENCE)))),
                    r.value());
            out.add(r.value());
        }
        return out;
    }

    private BenchCluster.JobSettings jobSettings(int parallelism) {
        return jobOptions.settings(parallelism, threads);
    }

    /** Job start-up plus a second per frame and subtask, far above any rate this job reaches. */
    private static Duration timeout(int frames, int parallelism) {
        return Duration.ofSeconds(120 + frames / parallelism);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    private static void progress(String what) {
        System.err.println("bench-pipeline: " + what);
    }

}
