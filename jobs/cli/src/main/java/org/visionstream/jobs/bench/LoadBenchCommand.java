package org.visionstream.jobs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.visionstream.jobs.bench.BenchCluster.RunTopics;
import org.visionstream.jobs.bench.EventCollector.Arrived;
import org.visionstream.jobs.bench.LoadReport.Sample;
import org.visionstream.jobs.bench.LoadReport.Summary;
import org.visionstream.jobs.cli.BenchCommand;
import org.visionstream.jobs.command.UsageException;
import org.visionstream.jobs.produce.FrameProducerOptions;
import org.visionstream.operators.bundle.ModelBundle;
import org.visionstream.operators.bundle.ModelManifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code visionstream bench-load}: N simulated cameras at F frames/s each against the job, for a fixed time, with the
 * broker, the job and the cameras (one process, frames encoded beforehand) each in its own JVM; per time window the
 * offered and detected rates, the lag and the capture-to-event latency, then whether the lag grew. {@code --sweep}
 * runs several loads and names the highest this machine sustains (docs/performance.md, "Multi-camera load test").
 */
@Command(
        name = "bench-load",
        mixinStandardHelpOptions = true,
        description = "Multi-camera load test: N cameras x F fps against the Flink job for a fixed time; rates, lag "
                + "and p50/p99 capture -> event latency per time window; --sweep finds the highest sustained load.")
public final class LoadBenchCommand implements Callable<Integer> {

    /** How often rates and lags are sampled: several samples per checkpoint-interval saw-tooth of the lag. */
    static final long SAMPLE_MILLIS = 500;

    @Mixin
    BenchJobOptions jobOptions;

    @Option(names = "--video", paramLabel = "FILE",
            description = "Video the cameras replay, repeatable; camera i plays video i mod count (default: every .mp4 of ../shared/media/video).")
    List<Path> videos;

    @Option(names = "--cameras", paramLabel = "N", description = "Simulated cameras, one partition each (default: 2).")
    Integer cameras;

    @Option(names = "--fps", paramLabel = "F", description = "Frames per second of each camera (default: 5).")
    Double fps;

    @Option(names = "--sweep", split = ",", paramLabel = "NxF",
            description = "Several loads, one after the other, e.g. 1x5,2x5,4x5; replaces --cameras and --fps and names the highest sustained one.")
    List<String> sweep;

    @Option(names = "--duration-s", defaultValue = "60", description = "Timed seconds of each load (default: ${DEFAULT-VALUE}).")
    int durationSeconds;

    @Option(names = "--window-s", defaultValue = "5", description = "Seconds per row of the window table (default: ${DEFAULT-VALUE}).")
    int windowSeconds;

    @Option(names = "--warmup", defaultValue = "5",
            description = "Untimed frames per camera sent first; the load starts once their events arrived (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--parallelism", defaultValue = "2", description = "The job's parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--threads", defaultValue = "1",
            description = "ONNX Runtime intra-op threads of each job subtask (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Logs and checkpoints (default: target/bench-load/RUN).")
    Path workDir;

    private BenchCluster cluster;

    @Override
    public Integer call() throws Exception {
        List<Load> loads = loads();
        List<Path> sources = videos();
        String loadBefore = BenchCluster.loadAverage();
        ModelManifest manifest = ModelBundle.load(jobOptions.model).manifest();
        List<Summary> summaries = new ArrayList<>();
        try (BenchCluster started = BenchCluster.start("bench-load", workDir)) {
            cluster = started;
            String clipTopic = cluster.name("clips");
            cluster.createTopics(1, clipTopic);
            progress("encoding every frame of " + sources.size() + " video(s) once, as `produce --fps 0` sends them");
            List<List<String>> clips = new ArrayList<>();
            for (int i = 0; i < sources.size(); i++) {
                clips.add(List.of("--topic", clipTopic, "--camera-id", String.format(Locale.ROOT, "clip-%03d", i),
                        "--fps", "0", sources.get(i).toString()));
            }
            int clipFrames = cluster.produce("clip", clips, Duration.ofSeconds(600));
            for (int i = 0; i < loads.size(); i++) {
                summaries.add(runLoad("load" + (i + 1), loads.get(i), clipTopic, clipFrames));
            }
            cluster.stop();
        }
        StringBuilder out = new StringBuilder();
        header(manifest, sources, loadBefore).forEach(line -> out.append(line).append('\n'));
        for (Summary s : summaries) {
            out.append('\n').append(LoadReport.formatWindows(s));
        }
        out.append('\n').append(LoadReport.formatSummary(summaries));
        System.out.print(out);
        return 0;
    }

    /** The loads asked for; a value out of range is the user's mistake, found before anything starts. */
    List<Load> loads() {
        if (sweep != null && (cameras != null || fps != null)) {
            throw new UsageException("--sweep replaces --cameras and --fps: give either a sweep or one load");
        }
        requireAtLeast("--duration-s", durationSeconds, 3L * windowSeconds,
                "3 windows (--window-s): the lag rule compares the first and last thirds");
        requireAtLeast("--window-s", windowSeconds, 1, "");
        requireAtLeast("--warmup", warmup, 1, "the load starts once the warm-up frames are detected");
        requireAtLeast("--parallelism", parallelism, 1, "");
        requireAtLeast("--threads", threads, 1, "");
        requireAtLeast("--checkpoint-interval-ms", jobOptions.checkpointIntervalMs, 1, "");
        return UsageException.fromInput(() -> sweep == null
                ? List.of(new Load(cameras == null ? 2 : cameras, fps == null ? 5 : fps))
                : sweep.stream().map(Load::parse).toList());
    }

    private static void requireAtLeast(String option, long value, long min, String why) {
        if (value < min) {
            throw new UsageException(String.format(Locale.ROOT, "%s must be >= %d%s, got %d", option, min,
                    why.isEmpty() ? "" : " (" + why + ")", value));
        }
    }

    private List<Path> videos() throws IOException {
        List<Path> found;
        if (videos != null) {
            found = videos;
        } else {
            try (Stream<Path> files = Files.list(BenchCluster.SHARED.resolve("media/video"))) {
                found = files.filter(f -> f.toString().endsWith(".mp4")).sorted().toList();
            }
        }
        if (found.isEmpty()) {
            throw new UsageException("no .mp4 video in " + BenchCluster.SHARED.resolve("media/video") + ": give --video FILE");
        }
        found.forEach(v -> UsageException.fromInput(() -> {
            FrameProducerOptions.requireSource(v.toString());
            return v;
        }));
        return found;
    }

    /**
     * One load against a fresh job: the cameras send their warm-up frames, the timed load starts once the job has
     * detected them (it is then up and warm), and the benchmark samples sent frames, received events and the
     * group's offsets every {@link #SAMPLE_MILLIS} ms until the cameras stop.
     */
    private Summary runLoad(String name, Load load, String clipTopic, int clipFrames) throws Exception {
        List<String> cameraIds = BenchCluster.camerasOnDistinctPartitions(load.cameras());
        String framesTopic = cluster.name(name + "-frames");
        cluster.createTopics(load.cameras(), framesTopic);
        RunTopics out = cluster.createRunTopics(name, load.cameras());
        long durationMillis = durationSeconds * 1000L;
        List<String> fleetArgs = new ArrayList<>(List.of(cluster.bootstrapServers(), clipTopic, Integer.toString(clipFrames),
                framesTopic, Double.toString(load.fps()), Long.toString(durationMillis), Integer.toString(warmup)));
        fleetArgs.addAll(cameraIds);
        progress(String.format(Locale.ROOT, "%s: %s, %d camera(s) x %s fps for %d s, job parallelism %d", name, load,
                load.cameras(), load.fps(), durationSeconds, parallelism));
        try (ChildJvm job = cluster.startJob(name, framesTopic, out,
                        jobOptions.settings(parallelism, threads));
                ChildJvm fleet = cluster.startChild("cameras-" + name, "1g", CameraFleet.class, fleetArgs);
                EventCollector events = new EventCollector(cluster.bootstrapServers(), out.events(), out.deadLetters());
                Admin admin = cluster.admin()) {
            int warmFrames = warmup * load.cameras();
            awaitLine(fleet, CameraFleet.WARM, events, job);
            events.await(warmFrames, Duration.ofSeconds(180 + warmFrames / parallelism), job);
            String group = cluster.groupId(name);
            sample(admin, framesTopic, load.cameras(), group, warmFrames, List.of()); // connects the admin client before the load
            fleet.closeInput();
            long start = Long.parseLong(awaitLine(fleet, CameraFleet.STARTED, events, job));
            List<Sample> samples = new ArrayList<>();
            long windowMillis = windowSeconds * 1000L;
            for (long at = start; at <= start + durationMillis; at += SAMPLE_MILLIS) {
                while (System.currentTimeMillis() < at) {
                    events.pollOnce(job);
                }
                Sample s = sample(admin, framesTopic, load.cameras(), group, warmFrames, timed(events.events()));
                samples.add(s);
                if (at > start && (at - start) % windowMillis == 0) {
                    progress(String.format(Locale.ROOT, "%s at %d s: %d frames sent, %d events received, lag %d, kafka lag %d",
                            name, (at - start) / 1000, s.sent(), s.received(), s.lag(), s.kafkaLag()));
                }
            }
            List<Arrived> duringLoad = timed(events.events()); // not those read while the cameras flush below
            String sent = awaitLine(fleet, CameraFleet.SENT, events, job);
            fleet.awaitSuccess(Duration.ofSeconds(60));
            Summary summary = LoadReport.summarize(load, start, windowMillis, samples, duringLoad, toleranceSeconds(),
                    fleetNote(sent));
            progress(String.format(Locale.ROOT, "%s: sustained %.1f of %.1f frames/s offered, lag %s", name,
                    summary.sustainedPerSecond(), summary.offeredPerSecond(), summary.lagGrew() ? "grew" : "steady"));
            return summary;
        }
    }

    /**
     * The lag growth that counts as falling behind: one second of offered frames, or one checkpoint interval if that
     * is longer (the lag's saw-tooth, and the latency's ramp at the start that the first third includes).
     */
    private double toleranceSeconds() {
        return Math.max(1000, jobOptions.checkpointIntervalMs) / 1000.0;
    }

    /** The fleet's {@code N max-late-ms=M} as words. */
    private static String fleetNote(String sent) {
        String[] f = sent.split(" max-late-ms=");
        return "the cameras sent " + f[0] + " timed frames, each at most " + f[1] + " ms behind its schedule";
    }

    private List<Arrived> timed(List<Arrived> events) {
        return events.stream().filter(a -> a.event().sequence() >= warmup).toList();
    }

    /**
     * Sent, received and the group's lag now; the Kafka lag is -1 until the job has committed offsets. The sample's
     * time is when the end offsets came back: the admin client's calls take milliseconds, its first one far longer.
     */
    private static Sample sample(Admin admin, String topic, int partitions, String group, int warmFrames,
            List<Arrived> timedEvents) throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        long end = admin.listOffsets(latest).all().get().values().stream().mapToLong(ListOffsetsResultInfo::offset).sum();
        long at = System.currentTimeMillis();
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        long read = committed.entrySet().stream()
                .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset())
                .sum();
        return new Sample(at, end - warmFrames, timedEvents.size(), committed.isEmpty() ? -1 : end - read);
    }

    /** Reads events while waiting for the fleet to print a line starting with {@code prefix}; returns the rest of it. */
    private static String awaitLine(ChildJvm fleet, String prefix, EventCollector events, ChildJvm job) {
        long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : fleet.output().lines().toList()) {
                if (line.startsWith(prefix)) {
                    return line.substring(prefix.length());
                }
            }
            fleet.requireAlive();
            events.pollOnce(job);
        }
        throw new IllegalStateException("the cameras did not print '" + prefix + "' in 300 s:\n" + fleet.tail());
    }

    private List<String> header(ModelManifest manifest, List<Path> sources, String loadBefore) {
        return List.of(
                String.format(Locale.ROOT, "model %s %s on %s, %d intra-op thread(s) per subtask", manifest.name(),
                        manifest.version(), jobOptions.provider, threads),
                "videos: camera i replays video i mod " + sources.size() + " of "
                        + String.join(", ", sources.stream().map(p -> p.getFileName().toString()).toList())
                        + " in a loop, frames encoded before the run, capture time = send time",
                String.format(Locale.ROOT, "job: `visionstream job` process, parallelism %d, %s; broker and cameras in "
                        + "their own processes; events read read_committed; each load %d s after %d warm-up frames per "
                        + "camera", parallelism, jobOptions.describe(), durationSeconds, warmup),
                String.format(Locale.ROOT, "machine: %s, %d cores, Java %s; load average %s before, %s after",
                        BenchCommand.cpuModel(), Runtime.getRuntime().availableProcessors(),
                        System.getProperty("java.version"), loadBefore, BenchCluster.loadAverage()),
                "lag frames = frames sent - events received; kafka lag = end offsets - the job group's committed offsets; "
                        + "latency = capture -> arrival at a read_committed consumer",
                String.format(Locale.ROOT, "lag grew = mean lag of the last third of the %d ms samples exceeds the first "
                        + "third's by more than %.1f s of offered frames (1 s or one checkpoint interval, the longer)",
                        SAMPLE_MILLIS, toleranceSeconds()),
                "logs: " + cluster.logs());
    }

    private static void progress(String what) {
        System.err.println("bench-load: " + what);
    }
}
