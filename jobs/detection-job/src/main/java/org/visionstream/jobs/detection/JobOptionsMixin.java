package org.visionstream.jobs.detection;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.visionstream.jobs.command.UsageException;
import org.visionstream.operators.detect.DetectorOptions;
import org.visionstream.operators.inference.ExecutionProvider;
import org.visionstream.operators.track.ZoneOptions;
import picocli.CommandLine.Option;

/**
 * The detection job's options on the command line ({@code job} and {@code demo}): each one given
 * overrides the same key of {@code --config}.
 */
public final class JobOptionsMixin {

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file (see deploy/detection-job.properties).")
    Path config;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...", description = "Kafka brokers.")
    String bootstrapServers;

    @Option(names = "--frames-topic", description = "Topic the frames are read from (default: frames).")
    String framesTopic;

    @Option(names = "--events-topic", description = "Topic the detection events go to (default: detections).")
    String eventsTopic;

    @Option(names = "--dead-letter-topic", description = "Topic rejected frames go to (default: frames-dlq).")
    String deadLetterTopic;

    @Option(names = "--objects-topic", description = "Topic the tracked objects' lifecycle and zone events go to (default: objects).")
    String objectsTopic;

    @Option(names = "--zones", paramLabel = "FILE", description = "Zones and lines per camera, JSON (see README, Objects and zones).")
    Path zones;

    @Option(names = "--group-id", description = "Consumer group of the frames source (default: visionstream-detector).")
    String groupId;

    @Option(names = "--model", paramLabel = "DIR", description = "Model bundle folder (must exist on every TaskManager).")
    Path model;

    @Option(names = "--classes", split = ",", paramLabel = "NAME",
            description = "Classes to report (default: car,bicycle,motorcycle,bus,person; 'all' for every class).")
    List<String> classes;

    @Option(names = "--threshold", description = "Minimum score (default: 0.5).")
    Float threshold;

    @Option(names = "--provider", description = "cpu, cuda[:N] or tensorrt[:N] (default: cpu).")
    String provider;

    @Option(names = "--require-gpu", description = "Fail at start when the GPU provider cannot be loaded, instead of running on the CPU.")
    Boolean requireGpu;

    @Option(names = "--threads", description = "ONNX Runtime intra-op threads per subtask, 0 = the TaskManager's cores / its slots (default: 0).")
    Integer threads;

    @Option(names = "--batch-size", description = "Frames per detector call at most, across cameras (default: 1).")
    Integer batchSize;

    @Option(names = "--batch-timeout-ms", description = "How long a batch waits to fill (default: 20).")
    Long batchTimeoutMs;

    @Option(names = "--pin-cores", description = "Pin each detector subtask to a core of the TaskManager's own, for a "
            + "TaskManager that owns its machine's or cpuset's cores (default: off).")
    Boolean pinCores;

    @Option(names = "--order-max-wait-ms", description = "How long a camera's events wait for a missing sequence (default: 1000).")
    Long orderMaxWaitMs;

    @Option(names = "--max-frame-age-ms", paramLabel = "MS",
            description = "Frames older than this (capture time to the detector) are skipped, with an event that says so; 0 = never (default: 10000).")
    Long maxFrameAgeMs;

    @Option(names = "--start-from", paramLabel = "earliest|latest|TIME",
            description = "Where a consumer group without committed offsets starts: earliest, latest, or the first frame captured at "
                    + "an ISO-8601 time or epoch ms (default: latest). A checkpoint or savepoint, then committed offsets, win.")
    String startFrom;

    @Option(names = "--parallelism", description = "Job parallelism (default: the environment's).")
    Integer parallelism;

    @Option(names = "--checkpoint-interval-ms", description = "Checkpoint interval; exactly-once output is committed at each checkpoint (default: 1000).")
    Long checkpointIntervalMs;

    @Option(names = "--delivery-guarantee", description = "exactly-once, at-least-once or none (default: exactly-once).")
    String deliveryGuarantee;

    @Option(names = "--transactional-id-prefix", description = "Unique per job on the Kafka cluster (default: visionstream-<group>-<events topic>).")
    String transactionalIdPrefix;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR|URI",
            description = "Checkpoints and savepoints (a directory or e.g. s3://bucket/path); a start with the same directory resumes from the newest one in it.")
    String checkpointDir;

    @Option(names = "--from-savepoint", paramLabel = "PATH", description = "Start from this savepoint or retained checkpoint.")
    String fromSavepoint;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "Extra Kafka client property (repeatable).")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    /** The options; a value they refuse or a config file that cannot be read is a {@link UsageException}. */
    public DetectionJobOptions options() {
        return UsageException.fromInput(this::build);
    }

    /** The zones and lines file; one that cannot be read is a {@link UsageException}. */
    public static ZoneOptions readZones(Path file) {
        try {
            return ZoneOptions.fromJson(file);
        } catch (IOException e) {
            throw new UsageException("cannot read the zones file " + file + ": " + e.getMessage(), e);
        }
    }

    private DetectionJobOptions build() {
        DetectionJobOptions.Builder b = config != null ? readConfig() : DetectionJobOptions.builder();
        ifGiven(bootstrapServers, b::bootstrapServers);
        ifGiven(framesTopic, b::framesTopic);
        ifGiven(eventsTopic, b::eventsTopic);
        ifGiven(deadLetterTopic, b::deadLetterTopic);
        ifGiven(objectsTopic, b::objectsTopic);
        if (zones != null) {
            b.tracker().zones(readZones(zones));
        }
        ifGiven(groupId, b::groupId);
        ifGiven(parallelism, b::parallelism);
        ifGiven(checkpointIntervalMs, ms -> b.checkpointInterval(Duration.ofMillis(ms)));
        ifGiven(deliveryGuarantee, g -> b.deliveryGuarantee(DetectionJobOptions.parseDeliveryGuarantee(g)));
        ifGiven(transactionalIdPrefix, b::transactionalIdPrefix);
        ifGiven(batchSize, b::batchSize);
        ifGiven(batchTimeoutMs, ms -> b.batchTimeout(Duration.ofMillis(ms)));
        ifGiven(pinCores, b::pinDetectorCores);
        ifGiven(orderMaxWaitMs, ms -> b.orderMaxWait(Duration.ofMillis(ms)));
        ifGiven(maxFrameAgeMs, ms -> b.maxFrameAge(Duration.ofMillis(ms)));
        ifGiven(startFrom, v -> b.startFrom(StartingOffsets.parse(v)));
        ifGiven(checkpointDir, b::checkpointDir);
        ifGiven(fromSavepoint, b::fromSavepoint);
        kafkaProperties.forEach(b::kafkaProperty);
        DetectorOptions.Builder d = b.detector();
        ifGiven(model, d::bundle);
        ifGiven(classes, d::classes);
        ifGiven(threshold, d::scoreThreshold);
        ifGiven(provider, p -> d.executionProvider(ExecutionProvider.parse(p)));
        ifGiven(threads, d::intraOpThreads);
        ifGiven(requireGpu, d::requireGpu);
        return b.build();
    }

    private DetectionJobOptions.Builder readConfig() {
        try {
            return DetectionJobOptions.fromProperties(config);
        } catch (NoSuchFileException e) {
            throw new UsageException("config file " + config + " does not exist: fix --config", e);
        } catch (IOException e) {
            throw new UsageException("cannot read config file " + config + ": " + e.getMessage(), e);
        }
    }

    private static <T> void ifGiven(T value, Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }
}
