package org.visionstream.jobs.detection;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.connector.base.DeliveryGuarantee;
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

    @Option(names = "--threads", description = "ONNX Runtime intra-op threads per subtask, 0 = all cores (default: 0).")
    Integer threads;

    @Option(names = "--parallelism", description = "Job parallelism (default: the environment's).")
    Integer parallelism;

    @Option(names = "--checkpoint-interval-ms", description = "Checkpoint interval; exactly-once output is committed at each checkpoint (default: 10000).")
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

    public DetectionJobOptions options() throws IOException {
        DetectionJobOptions.Builder b = config != null ? DetectionJobOptions.fromProperties(config) : DetectionJobOptions.builder();
        ifGiven(bootstrapServers, b::bootstrapServers);
        ifGiven(framesTopic, b::framesTopic);
        ifGiven(eventsTopic, b::eventsTopic);
        ifGiven(deadLetterTopic, b::deadLetterTopic);
        ifGiven(objectsTopic, b::objectsTopic);
        if (zones != null) {
            b.tracker().zones(ZoneOptions.fromJson(zones));
        }
        ifGiven(groupId, b::groupId);
        ifGiven(parallelism, b::parallelism);
        ifGiven(checkpointIntervalMs, ms -> b.checkpointInterval(Duration.ofMillis(ms)));
        ifGiven(deliveryGuarantee, g -> b.deliveryGuarantee(DeliveryGuarantee.valueOf(g.toUpperCase(Locale.ROOT).replace('-', '_'))));
        ifGiven(transactionalIdPrefix, b::transactionalIdPrefix);
        ifGiven(checkpointDir, b::checkpointDir);
        ifGiven(fromSavepoint, b::fromSavepoint);
        kafkaProperties.forEach(b::kafkaProperty);
        DetectorOptions.Builder d = b.detector();
        ifGiven(model, d::bundle);
        ifGiven(classes, c -> d.classes(c.equals(List.of("all")) ? List.of() : c));
        ifGiven(threshold, d::scoreThreshold);
        ifGiven(provider, p -> d.executionProvider(ExecutionProvider.parse(p)));
        ifGiven(threads, d::intraOpThreads);
        ifGiven(requireGpu, d::requireGpu);
        return b.build();
    }

    private static <T> void ifGiven(T value, Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }
}
