package org.visionstream.jobs.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.visionstream.jobs.command.UsageException;
import org.visionstream.jobs.detection.BundlePreflight;
import org.visionstream.jobs.detection.DetectionJob;
import org.visionstream.jobs.detection.JobOptionsMixin;
import org.visionstream.jobs.detection.KafkaPreflight;
import org.visionstream.jobs.cli.GracefulShutdown;
import org.visionstream.jobs.detection.DetectionJobOptions;
import org.visionstream.jobs.detection.StartingOffsets;
import org.visionstream.jobs.kafka.CommittedRecordsReader;
import org.visionstream.jobs.kafka.EmbeddedKafka;
import org.visionstream.jobs.kafka.KafkaTopics;
import org.visionstream.jobs.produce.FrameProducer;
import org.visionstream.jobs.produce.FrameProducerOptions;
import org.visionstream.jobs.produce.ProducerSummary;
import org.visionstream.jobs.produce.ProgressListener;
import org.visionstream.jobs.view.LiveOutputs;
import org.visionstream.jobs.view.ViewAddress;
import org.visionstream.operators.deadletter.DeadLetterHeaders;
import org.visionstream.operators.detect.Detection;
import org.visionstream.operators.detect.DetectorOptions;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.events.DetectionEventJson;
import org.visionstream.operators.events.ObjectEvent;
import org.visionstream.operators.events.ObjectEventJson;
import org.visionstream.operators.events.TrackedDetectionEvent;
import org.visionstream.operators.frames.FrameHeaders;
import org.visionstream.operators.inference.ExecutionProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code visionstream demo [VIDEO]}: the whole pipeline on one machine. Starts a Kafka broker in this
 * JVM (KRaft, 127.0.0.1) unless {@code --bootstrap-servers} names one, builds the D2Go bundle if it is
 * missing, runs the detection job in a local Flink environment, streams the video through the frame
 * producer, prints every detection event (with track ids) and object event as a read_committed consumer
 * receives it and ends with a summary once every frame is accounted for and the video's last objects are gone.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Run producer, Kafka, the Flink detection job and an event consumer on one machine.")
public final class DemoCommand implements Callable<Integer> {

    private static final String CAMERA = "demo-camera";
    /** Warms the pipeline up before the demo's camera starts (see {@code --warm-up-frames}). */
    private static final String WARM_UP_CAMERA = "demo-warm-up";

    private static final Path HOME = Path.of(System.getProperty("visionstream.home", ".")).toAbsolutePath().normalize();
    private static final Path SHARED = HOME.resolveSibling("shared");

    @Parameters(arity = "0..1", paramLabel = "VIDEO", description = "Video file or stream URL (default: the shared street video).")
    String video = SHARED.resolve("media/video/person-bicycle-car-detection.mp4").toString();

    @Option(names = "--bootstrap-servers", description = "Use this Kafka instead of starting one in-process.")
    String bootstrapServers;

    @Option(names = "--model", paramLabel = "DIR", description = "Model bundle (default: the D2Go bundle, converted if missing).")
    Path model = HOME.resolve("model-assets/target/bundles/d2go-fbnetv3a-c4-coco");

    @Option(names = "--weights", paramLabel = "FILE", description = "d2go.pt to convert when the bundle is missing.")
    Path weights = SHARED.resolve("models/d2go-fbnetv3a-c4-coco/d2go.pt");

    @Option(names = "--fps", defaultValue = "5", description = "Frames per second taken from the video (default: ${DEFAULT-VALUE}).")
    double fps;

    @Option(names = "--realtime", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Send frames at the video's own pace, as a camera would (default: true); --no-realtime sends as fast as possible.")
    boolean realtime;

    @Option(names = "--max-frames", defaultValue = "0", description = "Stop after this many frames, 0 = the whole video.")
    long maxFrames;

    @Option(names = "--classes", split = ",", description = "Classes to report (default: car,bicycle,motorcycle,bus,person).")
    List<String> classes = DetectionJobOptions.DEFAULT_CLASSES;

    @Option(names = "--threshold", defaultValue = "0.5", description = "Minimum score (default: ${DEFAULT-VALUE}).")
    float threshold;

    @Option(names = "--provider", defaultValue = "cpu", description = "cpu, cuda[:N] or tensorrt[:N] (default: ${DEFAULT-VALUE}).")
    String provider;

    @Option(names = "--parallelism", defaultValue = "1", description = "Detector subtasks, one model each (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--zones", paramLabel = "FILE", description = "Zones and lines for demo-camera, JSON (see README, Objects and zones).")
    Path zones;

    @Option(names = "--metrics-port", defaultValue = "9249",
            description = "Port of the Prometheus endpoint /metrics, on every interface; 0 = none (default: ${DEFAULT-VALUE}).")
    int metricsPort;

    // 200 ms: exactly-once events are committed at each checkpoint, so the interval is most of the
    // capture -> event latency (README "Latency"); it costs a few percent of CPU over 2 s.
    @Option(names = "--checkpoint-interval-ms", defaultValue = "200",
            description = "Events are committed, and so printed, at each checkpoint (default: ${DEFAULT-VALUE}).")
    long checkpointIntervalMs;

    @Option(names = "--delivery-guarantee", defaultValue = "exactly-once",
            description = "exactly-once, or at-least-once: events visible as soon as they are written, duplicates after a failure (default: ${DEFAULT-VALUE}).")
    String deliveryGuarantee;

    @Option(names = "--batch-size", defaultValue = "1", description = "Frames per detector call at most (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--pin-cores", description = "Pin each detector subtask to a core of its own, as the job's --pin-cores.")
    boolean pinCores;

    @Option(names = "--threads", defaultValue = "0",
            description = "ONNX Runtime intra-op threads per detector, 0 = the cores / the parallelism (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--max-frame-age-ms", defaultValue = "10000",
            description = "Frames older than this when the detector would get them are skipped, and printed as such; 0 = never (default: ${DEFAULT-VALUE}).")
    long maxFrameAgeMs;

    @Option(names = "--warm-up-frames", defaultValue = "34",
            description = "Frames of the video sent through the whole pipeline as camera " + WARM_UP_CAMERA + " before the camera "
                    + "starts, at its pace, neither printed nor counted, so that the latency printed is a running pipeline's, "
                    + "not a JVM's first seconds; 0 = none (default: ${DEFAULT-VALUE}, twice the default video).")
    long warmUpFrames;

    @Option(names = "--view", description = "Serve the live view (frames with their boxes, rates) while the demo runs, "
            + "and keep it open after the video until Ctrl-C.")
    boolean view;

    @Mixin
    ViewAddress viewAddress;

    @Option(names = "--annotate", paramLabel = "OUT",
            description = "Also write the frames with their detections drawn: FILE.mp4 (.mkv, .mov, .avi) or a folder of JPEGs.")
    Path annotate;

    /** Names this run's topics and group. */
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    /** Events and dead letters of the warm-up camera read so far. */
    private long warmUpAccounted;

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        // Every mistake in the options, the video, the bundle or the Kafka address before anything starts;
        // the in-process broker's address is known only once it runs.
        UsageException.fromInput(() -> {
            if (parallelism < 1) {
                throw new IllegalArgumentException("--parallelism must be >= 1, got " + parallelism);
            }
            if (warmUpFrames < 0) {
                throw new IllegalArgumentException("--warm-up-frames must be >= 0 (0: none), got " + warmUpFrames);
            }
            if (metricsPort < 0 || metricsPort > 65535) {
                throw new IllegalArgumentException("--metrics-port must be a port number or 0 for none, got " + metricsPort);
            }
            FrameProducerOptions.requireSource(video);
            return jobOptions(bootstrapServers != null ? bootstrapServers : "127.0.0.1:9092");
        });
        if (bootstrapServers != null) {
            KafkaPreflight.check(bootstrapServers, Map.of(), List.of());
        }
        ensureBundle();
        BundlePreflight.check(UsageException.fromInput(this::detectorOptions));
        requireFreeMetricsPort();
        try (EmbeddedKafka kafka = bootstrapServers == null ? EmbeddedKafka.start(HOME.resolve("target/demo-kafka")) : null) {
            String servers = kafka != null ? kafka.bootstrapServers() : bootstrapServers;
            DetectionJobOptions job = jobOptions(servers);
            createTopics(job);
            System.err.printf("Kafka %s%s; model %s; video %s%n", servers, kafka != null ? " (in-process)" : "",
                    model, video);
            if (metricsPort > 0) {
                System.err.printf("Prometheus metrics: http://127.0.0.1:%d/metrics%n", metricsPort);
            }
            int restPort = freeLoopbackPort();
            JobClient client = DetectionJob.start(localFlink(restPort), job);
            // The camera starts once the detector is loaded and warm, as a job that is already up meets a camera.
            Duration startUp = LocalJobReadiness.await(restPort, client.getJobID(), Duration.ofMinutes(3));
            System.err.printf("job running after %.1f s (model loaded and warmed up, first checkpoint done)%n",
                    startUp.toMillis() / 1e3);
            try (CommittedRecordsReader reader = new CommittedRecordsReader(servers,
                    List.of(job.eventsTopic(), job.deadLetterTopic(), job.objectsTopic()), FrameProducer.MAX_REQUEST_BYTES)) {
                warmUp(servers, job, reader);
                return runCamera(servers, job, reader, client, started);
            }
        }
    }

    /**
     * Sends {@code --warm-up-frames} frames of the video (looped when it is shorter) through the whole
     * pipeline as camera {@link #WARM_UP_CAMERA}, at the camera's pace, and waits until each has its event.
     * A JVM seconds old runs every step slower than it will minutes later: classes still loading, the JIT
     * compiler taking a third to a half of a core for tens of seconds (broker, Flink, clients and model in
     * one process), the sinks' first transactional producers created inside their first checkpoints. Measured on the
     * project's 2-core machine, default video: capture -> event medians of 273 to 535 ms without a warm-up
     * (ten runs), 132 to 269 ms after 34 frames (fourteen); 124 to 148 ms over the last 100 frames of the 30 s
     * car video (README "Latency and delivery").
     */
    private void warmUp(String servers, DetectionJobOptions job, CommittedRecordsReader reader) throws Exception {
        if (warmUpFrames == 0) {
            return;
        }
        System.err.printf("warming the pipeline up: %d frames as camera %s%n", warmUpFrames, WARM_UP_CAMERA);
        long sent = 0;
        while (sent < warmUpFrames) {
            long sequence = sent;
            try (FrameProducer producer = new FrameProducer(camera(servers, job, WARM_UP_CAMERA, sequence, warmUpFrames - sent))) {
                long n = producer.run((frames, bytes, seconds) -> { }).framesSent();
                if (n == 0) {
                    break; // a source without frames: the camera's run will say so
                }
                sent += n;
            }
        }
        long deadline = accountedBy(sent);
        // Only the warm-up camera's records come now: none reaches this summary.
        DemoSummary none = new DemoSummary(System.currentTimeMillis());
        while (warmUpAccounted < sent && System.nanoTime() < deadline) {
            pollAndPrint(reader, Duration.ofMillis(200), job, none);
        }
        if (warmUpAccounted < sent) {
            throw new IllegalStateException("the pipeline did not answer " + (sent - warmUpAccounted) + " of "
                    + sent + " warm-up frames in time; see the log above");
        }
    }

    /** When {@code frames} frames sent must all have their events or dead letters, as System.nanoTime(). */
    private long accountedBy(long frames) {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(120 + 10 * frames / parallelism);
    }

    private FrameProducerOptions camera(String servers, DetectionJobOptions job, String cameraId, long startSequence,
            long frames) {
        return FrameProducerOptions.builder()
                .bootstrapServers(servers)
                .topic(job.framesTopic())
                .cameraId(cameraId)
                .startSequence(startSequence)
                .source(video)
                .fps(fps)
                .realtime(realtime)
                .maxFrames(frames)
                .build();
    }

    /** Streams the video as the demo's camera, prints what arrives and the summary; the exit code. */
    private int runCamera(String servers, DetectionJobOptions job, CommittedRecordsReader reader, JobClient client,
            long started) throws Exception {
        System.err.println("starting the camera");
        // Ctrl-C stops producing; the frames already sent are still awaited and summarised.
        CountDownLatch stopSignal = new CountDownLatch(1);
        // The live outputs start at the topics' ends: after the warm-up camera's records.
        try (LiveOutputs outputs = view || annotate != null ? new LiveOutputs(servers, job.framesTopic(),
                        job.eventsTopic(), view ? viewAddress : null, annotate, fps) : null;
                FrameProducer producer = new FrameProducer(camera(servers, job, CAMERA, 0, maxFrames));
                GracefulShutdown shutdown = GracefulShutdown.onSignal(() -> {
                    producer.stop();
                    stopSignal.countDown();
                })) {
            if (outputs != null) {
                outputs.url().ifPresent(url -> System.out.println("live view at " + url));
            }
            DemoSummary summary = new DemoSummary(System.currentTimeMillis());
            ProducerSummary sent = produceWhilePrinting(producer, reader, job, summary);
            // Every frame sent ends as an event or a dead letter; wait for the last checkpoints to commit them.
            long deadline = accountedBy(sent.framesSent());
            while (summary.accounted() < sent.framesSent() && System.nanoTime() < deadline) {
                pollAndPrint(reader, Duration.ofMillis(500), job, summary);
            }
            // The video has ended: its last objects disappear once the camera is silent for the idle timeout.
            long tracksDeadline = System.nanoTime() + job.trackingIdleTimeout().toNanos() + 3 * job.checkpointInterval().toNanos();
            while (summary.liveTracks() > 0 && System.nanoTime() < tracksDeadline) {
                pollAndPrint(reader, Duration.ofMillis(500), job, summary);
            }
            System.out.print(summary.format(sent.framesSent(), sent.elapsedSeconds(), (System.nanoTime() - started) / 1e9));
            client.cancel().get(30, TimeUnit.SECONDS);
            if (outputs != null) {
                long drawn = outputs.finishAnnotated(summary.events(), Duration.ofSeconds(30));
                if (drawn >= 0) {
                    System.out.printf("annotated         %d frames in %s%n", drawn, annotate);
                }
                if (view && stopSignal.getCount() > 0) {
                    System.out.println("live view still at " + outputs.url().orElseThrow() + " (Ctrl-C to stop)");
                    stopSignal.await();
                }
            }
            return summary.accounted() == sent.framesSent() ? 0 : 1;
        }
    }

    /** Produces the video on a second thread while this one prints what arrives. */
    private ProducerSummary produceWhilePrinting(FrameProducer producer, CommittedRecordsReader reader,
            DetectionJobOptions job, DemoSummary summary) throws Exception {
        ProducerSummary[] result = new ProducerSummary[1];
        Exception[] failure = new Exception[1];
        Thread produce = new Thread(() -> {
            try {
                result[0] = producer.run(ProgressListener.printingTo(System.err));
            } catch (Exception e) {
                failure[0] = e;
            }
        }, "frame-producer");
        produce.start();
        while (produce.isAlive()) {
            pollAndPrint(reader, Duration.ofMillis(200), job, summary);
        }
        produce.join();
        if (failure[0] != null) {
            throw failure[0];
        }
        return result[0];
    }

    /**
     * Prints what one poll returns. Its events count as received when the poll returned, as a consumer
     * has them then: parsing and printing are the consumer's own time (the first parse in a JVM also
     * builds Jackson's readers).
     */
    private void pollAndPrint(CommittedRecordsReader reader, Duration timeout, DetectionJobOptions job,
            DemoSummary summary) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        reader.poll(timeout, records::add);
        long receivedAt = System.currentTimeMillis();
        records.forEach(r -> print(r, receivedAt, job, summary));
    }

    /** Prints a record of the demo's camera; one of the warm-up camera is only counted, if it accounts for a frame. */
    private void print(ConsumerRecord<byte[], byte[]> record, long receivedAt, DetectionJobOptions job,
            DemoSummary summary) {
        if (record.topic().equals(job.objectsTopic())) {
            ObjectEvent o;
            try {
                o = ObjectEventJson.fromBytes(record.value());
            } catch (IOException ex) {
                throw new IllegalStateException("unreadable object event at offset " + record.offset(), ex);
            }
            if (o.cameraId().equals(WARM_UP_CAMERA)) {
                return;
            }
            summary.object(o);
            System.out.println(DemoSummary.describe(o));
            return;
        }
        if (record.topic().equals(job.deadLetterTopic())) {
            if (header(record, FrameHeaders.CAMERA_ID).equals(WARM_UP_CAMERA)) {
                warmUpAccounted++;
                return;
            }
            String reason = header(record, DeadLetterHeaders.REASON);
            summary.deadLetter(reason);
            System.out.printf("DEAD LETTER %s at %s: %s%n", reason, header(record, DeadLetterHeaders.STAGE),
                    header(record, DeadLetterHeaders.MESSAGE));
            return;
        }
        TrackedDetectionEvent tracked;
        try {
            tracked = DetectionEventJson.fromBytesTracked(record.value());
        } catch (IOException ex) {
            throw new IllegalStateException("unreadable event at offset " + record.offset(), ex);
        }
        DetectionEvent e = tracked.event();
        if (e.cameraId().equals(WARM_UP_CAMERA)) {
            warmUpAccounted++;
            return;
        }
        summary.event(e, receivedAt);
        List<String> items = new ArrayList<>();
        for (int i = 0; i < e.detections().size(); i++) {
            Detection d = e.detections().get(i);
            Long id = tracked.trackIds().get(i);
            items.add(String.format("%s%s %.2f [%.0f,%.0f,%.0f,%.0f]", d.label(), id != null ? " #" + id : "", d.score(),
                    d.x1(), d.y1(), d.x2(), d.y2()));
        }
        String detections = String.join(", ", items);
        System.out.printf("%s #%d  %dx%d  %d ms  %s%n", e.cameraId(), e.sequence(), e.image().width(), e.image().height(),
                Math.round(e.detectMillis()), DemoSummary.describe(e.skipped(), detections));
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
        var h = record.headers().lastHeader(key);
        return h == null || h.value() == null ? "?" : new String(h.value(), StandardCharsets.UTF_8);
    }

    private DetectionJobOptions jobOptions(String servers) {
        // Topics and group of this run only: on a shared Kafka the demo must not see an earlier run's records.
        DetectionJobOptions.Builder b = DetectionJobOptions.builder()
                .bootstrapServers(servers)
                .framesTopic("demo-" + run + "-frames")
                .eventsTopic("demo-" + run + "-detections")
                .deadLetterTopic("demo-" + run + "-frames-dlq")
                .objectsTopic("demo-" + run + "-objects")
                // The demo's video ends: report its last objects gone soon after (a camera: 10 s by default).
                .trackingIdleTimeout(Duration.ofSeconds(3))
                .groupId("visionstream-demo-" + run)
                // This run's own topics: every frame of the video, also those sent before the source is assigned.
                .startFrom(StartingOffsets.parse("earliest"))
                .maxFrameAge(Duration.ofMillis(maxFrameAgeMs))
                .parallelism(parallelism)
                .checkpointInterval(Duration.ofMillis(checkpointIntervalMs))
                .deliveryGuarantee(DetectionJobOptions.parseDeliveryGuarantee(deliveryGuarantee))
                .batchSize(batchSize)
                .pinDetectorCores(pinCores)
                .detector(detectorOptions());
        if (zones != null) {
            b.tracker().zones(JobOptionsMixin.readZones(zones));
        }
        return b.build();
    }

    private DetectorOptions detectorOptions() {
        return DetectorOptions.builder()
                .bundle(model)
                .classes(classes)
                .scoreThreshold(threshold)
                .executionProvider(ExecutionProvider.parse(provider))
                .intraOpThreads(threads)
                .build();
    }

    private static void createTopics(DetectionJobOptions job) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, job.bootstrapServers()))) {
            for (String topic : List.of(job.framesTopic(), job.eventsTopic(), job.deadLetterTopic(), job.objectsTopic())) {
                KafkaTopics.ensure(admin, topic, 1, FrameProducer.MAX_REQUEST_BYTES);
            }
        }
    }

    private StreamExecutionEnvironment localFlink(int restPort) {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, Integer.toString(restPort));
        conf.set(RestOptions.PORT, restPort);
        if (metricsPort > 0) {
            addPrometheusReporter(conf, metricsPort);
        }
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    }

    /** A port for the local cluster's REST API that the demo can ask about its job (Flink would pick one unknown to it). */
    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** Flink would only log that the reporter cannot bind its port, and the printed URL would lead nowhere. */
    private void requireFreeMetricsPort() {
        if (metricsPort == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket(metricsPort)) {
            // bound on every interface, as the reporter will, and released
        } catch (IOException e) {
            throw new UsageException("--metrics-port " + metricsPort + " is in use (" + e.getMessage()
                    + "): pick another port, or 0 for no metrics endpoint", e);
        }
    }

    /**
     * Flink's Prometheus reporter, as deploy/ configures it on a cluster: in a local environment the
     * JobManager and TaskManager share one metric registry, so one port serves all of the job's metrics.
     */
    public static void addPrometheusReporter(Configuration conf, int port) {
        conf.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.setString("metrics.reporter.prom.port", Integer.toString(port));
    }

    /** Converts d2go.pt into the bundle folder when it holds no bundle yet (a few seconds). */
    private void ensureBundle() throws IOException, InterruptedException {
        if (Files.isRegularFile(model.resolve("model.json"))) {
            return;
        }
        Path converter = HOME.resolve("model-assets/convert_d2go.py");
        if (!Files.isRegularFile(converter) || !Files.isRegularFile(weights)) {
            throw new UsageException("no bundle at " + model + " and cannot convert one: need " + converter + " and " + weights
                    + " (see model-assets/fetch_d2go.sh)");
        }
        System.err.println("converting " + weights + " into " + model + " ...");
        Path ortJar;
        Path lib = HOME.resolve("jobs/target/lib");
        if (!Files.isDirectory(lib)) {
            throw new UsageException("no bundle at " + model + " and no " + lib + " to convert one with: build with mvn install first");
        }
        try (var libs = Files.list(lib)) {
            ortJar = libs.filter(p -> p.getFileName().toString().matches("onnxruntime(_gpu)?-[0-9.]+\\.jar"))
                    .findFirst()
                    .orElseThrow(() -> new UsageException("no onnxruntime jar in jobs/target/lib: build with mvn install first"));
        }
        Process p = new ProcessBuilder("/usr/bin/python3", converter.toString(), "--weights", weights.toString(),
                "--out", model.toString(), "--ort-jar", ortJar.toString())
                .inheritIO()
                .start();
        if (p.waitFor() != 0) {
            throw new IOException("the D2Go conversion failed (exit " + p.exitValue() + "); see its output above");
        }
    }
}
