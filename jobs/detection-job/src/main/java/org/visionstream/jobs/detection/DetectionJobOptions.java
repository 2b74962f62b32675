package org.visionstream.jobs.detection;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.visionstream.operators.detect.DetectorOptions;
import org.visionstream.operators.flink.CameraOrderFunction;
import org.visionstream.operators.flink.FrameDetectFunction;
import org.visionstream.operators.flink.TrackFunction;
import org.visionstream.operators.frames.FrameParser;
import org.visionstream.operators.inference.ExecutionProvider;
import org.visionstream.operators.preprocess.ImageDecoder;
import org.visionstream.operators.track.TrackerOptions;
import org.visionstream.operators.track.ZoneOptions;

/**
 * Everything the detection job is configured by. Built from a properties file
 * ({@link #fromProperties}, keys as in {@code deploy/detection-job.properties}), the command line, or
 * the builder.
 */
public final class DetectionJobOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The classes the product reports by default: cars, bikes, buses and persons. */
    public static final List<String> DEFAULT_CLASSES = List.of("car", "bicycle", "motorcycle", "bus", "person");

    /** The largest frame (16 MiB) the job accepts by default and the producer sends; topics must allow it. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 << 20;

    /**
     * Exactly-once events become visible when the checkpoint that covers them completes, so the interval
     * is most of the capture -> event latency (about half of it on average): 1 s gives about 0.6 s for a
     * few percent more CPU than 10 s; the demo uses 200 ms.
     */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

    /** A batch waits at most this for more frames: a small part of the latency that batching is worth. */
    public static final Duration DEFAULT_BATCH_TIMEOUT = Duration.ofMillis(20);

    /**
     * Frames older than this when the detector would get them are skipped (an event that says so), not
     * analysed: for live cameras a result 10 s late is rarely worth having, and after a restart or in a
     * burst the job catches up with the cameras instead of lagging behind them. Above the restart of a
     * task (seconds) and the capture -> event latency (well under a second), so that normal operation never
     * skips a frame.
     */
    public static final Duration DEFAULT_MAX_FRAME_AGE = Duration.ofSeconds(10);

    /** Kafka's default transaction.max.timeout.ms (15 min): a larger transaction timeout is refused. */
    public static final Duration DEFAULT_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

    /**
     * Kafka client settings the job sets itself, and why each may not be overridden with {@code kafka.*}:
     * they would break exactly-once or the job's own wiring.
     */
    private static final Map<String, String> OWNED_KAFKA_PROPERTIES = Map.of(
            "bootstrap.servers", "use bootstrap.servers (--bootstrap-servers)",
            "group.id", "use group.id (--group-id)",
            "transactional.id", "the sinks derive it from transactional-id.prefix",
            "transaction.timeout.ms", "use transaction.timeout.ms, which is checked against the checkpoint interval",
            "key.serializer", "the job writes bytes", "value.serializer", "the job writes bytes",
            "key.deserializer", "the job reads bytes", "value.deserializer", "the job reads bytes",
            "enable.auto.commit", "offsets are committed with Flink's checkpoints");

    private final String bootstrapServers;
    private final String framesTopic;
    private final String eventsTopic;
    private final String deadLetterTopic;
    private final String objectsTopic;
    private final String groupId;
    private final DetectorOptions detector;
    private final int parallelism;
    private final Duration checkpointInterval;
    private final DeliveryGuarantee deliveryGuarantee;
    private final String transactionalIdPrefix;
    private final Duration transactionTimeout;
    private final int maxFrameBytes;
    private final long maxPixels;
    private final Map<String, String> kafkaProperties;
    private final String checkpointDir;
    private final String fromSavepoint;
    private final Duration maxClockSkew;
    private final Duration maxFrameAge;
    private final StartingOffsets startFrom;
    private final int maxConsecutiveRejections;
    private final int batchSize;
    private final Duration batchTimeout;
    private final boolean pinDetectorCores;
    private final Duration orderMaxWait;
    private final Duration orderStateTtl;
    private final TrackerOptions tracker;
    private final Duration trackingIdleTimeout;
    private final Duration trackingStateTtl;

    private DetectionJobOptions(Builder b) {
        this.bootstrapServers = require(b.bootstrapServers, "bootstrap servers");
        this.framesTopic = require(b.framesTopic, "frames topic");
        this.eventsTopic = require(b.eventsTopic, "events topic");
        this.deadLetterTopic = require(b.deadLetterTopic, "dead-letter topic");
        this.objectsTopic = require(b.objectsTopic, "objects topic");
        this.groupId = require(b.groupId, "consumer group");
        this.detector = b.detector.build();
        this.parallelism = b.parallelism;
        this.checkpointInterval = b.checkpointInterval;
        this.deliveryGuarantee = b.deliveryGuarantee;
        this.transactionalIdPrefix = b.transactionalIdPrefix != null ? b.transactionalIdPrefix
                : "visionstream-" + groupId + "-" + eventsTopic;
        this.transactionTimeout = b.transactionTimeout;
        this.maxFrameBytes = b.maxFrameBytes;
        this.maxPixels = b.maxPixels;
        this.kafkaProperties = Map.copyOf(b.kafkaProperties);
        this.checkpointDir = b.checkpointDir == null || b.checkpointDir.isBlank() ? null : JobCheckpoints.uri(b.checkpointDir);
        this.fromSavepoint = b.fromSavepoint == null || b.fromSavepoint.isBlank() ? null : JobCheckpoints.uri(b.fromSavepoint);
        this.maxClockSkew = b.maxClockSkew;
        this.maxFrameAge = b.maxFrameAge;
        this.startFrom = b.startFrom;
        this.maxConsecutiveRejections = b.maxConsecutiveRejections;
        this.batchSize = b.batchSize;
        this.batchTimeout = b.batchTimeout;
        this.pinDetectorCores = b.pinDetectorCores;
        this.orderMaxWait = b.orderMaxWait;
        this.orderStateTtl = b.orderStateTtl;
        this.tracker = b.tracker.build();
        this.trackingIdleTimeout = b.trackingIdleTimeout;
        this.trackingStateTtl = b.trackingStateTtl;
        if (Stream.of(framesTopic, eventsTopic, deadLetterTopic, objectsTopic).distinct().count() != 4) {
            throw new IllegalArgumentException("the frames, events, dead-letter and objects topics must differ");
        }
        TrackFunction.checkTimeouts(trackingIdleTimeout, trackingStateTtl);
        if (parallelism < 0 || maxFrameBytes <= 0 || maxPixels <= 0) {
            throw new IllegalArgumentException("parallelism must be >= 0, frame limits > 0");
        }
        if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
            throw new IllegalArgumentException("the checkpoint interval must be positive");
        }
        if (deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE
                && transactionTimeout.compareTo(checkpointInterval) <= 0) {
            throw new IllegalArgumentException("the transaction timeout (" + transactionTimeout
                    + ") must exceed the checkpoint interval (" + checkpointInterval + ")");
        }
        if (maxClockSkew.isNegative() || maxConsecutiveRejections < 0) {
            throw new IllegalArgumentException("the maximum clock skew and consecutive rejections must not be negative");
        }
        if (maxFrameAge.isNegative()) {
            throw new IllegalArgumentException("the maximum frame age (frame.max-age.ms) must be >= 0 (0: never skip a frame), got "
                    + maxFrameAge.toMillis() + " ms");
        }
        if (batchSize < 1 || batchTimeout.isNegative() || orderMaxWait.isNegative()) {
            throw new IllegalArgumentException("detector.batch.size must be >= 1, detector.batch.timeout.ms and "
                    + "order.max-wait.ms >= 0; got " + batchSize + ", " + batchTimeout.toMillis() + " and "
                    + orderMaxWait.toMillis());
        }
        CameraOrderFunction.checkTimeouts(orderMaxWait, orderStateTtl);
        checkKafkaProperties(kafkaProperties, deliveryGuarantee);
    }

    /** Refuses client settings that the job owns or that would silently weaken exactly-once. */
    private static void checkKafkaProperties(Map<String, String> properties, DeliveryGuarantee guarantee) {
        for (Map.Entry<String, String> e : properties.entrySet()) {
            String key = e.getKey();
            String value = e.getValue().trim().toLowerCase(Locale.ROOT);
            String why = OWNED_KAFKA_PROPERTIES.get(key);
            if (why == null && guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
                why = switch (key) {
                    case "isolation.level" -> value.equals("read_committed") ? null
                            : "exactly-once needs read_committed (aborted transactions would be read as frames)";
                    case "enable.idempotence" -> value.equals("true") ? null
                            : "Kafka transactions need the idempotent producer";
                    case "acks" -> value.equals("all") || value.equals("-1") ? null
                            : "the idempotent, transactional producer needs acks=all";
                    default -> null;
                };
            }
            if (why != null) {
                throw new IllegalArgumentException(
                        "kafka property '" + key + "=" + e.getValue() + "' is refused: " + why);
            }
        }
    }

    private static String require(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must be set");
        }
        return value.trim();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code exactly-once}, {@code at-least-once} or {@code none}. */
    public static DeliveryGuarantee parseDeliveryGuarantee(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "exactly-once" -> DeliveryGuarantee.EXACTLY_ONCE;
            case "at-least-once" -> DeliveryGuarantee.AT_LEAST_ONCE;
            case "none" -> DeliveryGuarantee.NONE;
            default -> throw new IllegalArgumentException(
                    "the delivery guarantee must be exactly-once, at-least-once or none, got '" + value + "'");
        };
    }

    /**
     * Reads a properties file: {@code bootstrap.servers}, {@code topic.frames}, {@code topic.events},
     * {@code topic.dead-letters}, {@code group.id}, {@code model}, {@code classes}, {@code threshold},
     * {@code provider}, {@code intra-op-threads}, {@code parallelism}, {@code checkpoint.interval.ms},
     * {@code delivery.guarantee}, {@code transactional-id.prefix}, {@code transaction.timeout.ms},
     * {@code frame.max-bytes}, {@code frame.max-pixels}, {@code frame.max-clock-skew.ms},
     * {@code model.max-consecutive-rejections}, {@code provider.require-gpu}, {@code detector.batch.size},
     * {@code detector.batch.timeout.ms}, {@code detector.pin-cores}, {@code order.max-wait.ms}, {@code order.state-ttl.ms},
     * {@code frame.max-age.ms}, {@code start-from}, {@code checkpoint.dir},
     * {@code from-savepoint}, {@code topic.objects}, {@code tracking.zones} (a JSON file, read now),
     * {@code tracking.min-hits}, {@code tracking.max-age.ms}, {@code tracking.update-interval.ms},
     * {@code tracking.idle-timeout.ms}, {@code tracking.state-ttl.ms}; every {@code kafka.*} key goes to the
     * Kafka clients without the prefix.
     */
    public static Builder fromProperties(Path file) throws IOException {
        try {
            return readProperties(file);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static Builder readProperties(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        Builder b = builder();
        DetectorOptions.Builder d = b.detector();
        for (String key : p.stringPropertyNames()) {
            String v = p.getProperty(key).trim();
            switch (key) {
                case "bootstrap.servers" -> b.bootstrapServers(v);
                case "topic.frames" -> b.framesTopic(v);
                case "topic.events" -> b.eventsTopic(v);
                case "topic.dead-letters" -> b.deadLetterTopic(v);
                case "topic.objects" -> b.objectsTopic(v);
                case "tracking.zones" -> b.tracker().zones(ZoneOptions.fromJson(file.resolveSibling(v)));
                case "tracking.min-hits" -> b.tracker().minHits(Integer.parseInt(v));
                case "tracking.max-age.ms" -> b.tracker().maxAge(Duration.ofMillis(Long.parseLong(v)));
                case "tracking.update-interval.ms" -> b.tracker().updateInterval(Duration.ofMillis(Long.parseLong(v)));
                case "tracking.idle-timeout.ms" -> b.trackingIdleTimeout(Duration.ofMillis(Long.parseLong(v)));
                case "tracking.state-ttl.ms" -> b.trackingStateTtl(Duration.ofMillis(Long.parseLong(v)));
                case "group.id" -> b.groupId(v);
                case "model" -> d.bundle(Path.of(v));
                case "classes" -> d.classes(v.isEmpty() ? List.of() : Arrays.stream(v.split(",")).map(String::trim).toList());
                case "threshold" -> d.scoreThreshold(Float.parseFloat(v));
                case "provider" -> d.executionProvider(ExecutionProvider.parse(v));
                case "provider.require-gpu" -> d.requireGpu(parseBoolean(key, v));
                case "model.max-consecutive-rejections" -> b.maxConsecutiveRejections(Integer.parseInt(v));
                case "intra-op-threads" -> d.intraOpThreads(Integer.parseInt(v));
                case "detector.batch.size" -> b.batchSize(Integer.parseInt(v));
                case "detector.batch.timeout.ms" -> b.batchTimeout(Duration.ofMillis(Long.parseLong(v)));
                case "detector.pin-cores" -> b.pinDetectorCores(parseBoolean(key, v));
                case "order.max-wait.ms" -> b.orderMaxWait(Duration.ofMillis(Long.parseLong(v)));
                case "order.state-ttl.ms" -> b.orderStateTtl(Duration.ofMillis(Long.parseLong(v)));
                case "frame.max-age.ms" -> b.maxFrameAge(Duration.ofMillis(Long.parseLong(v)));
                case "start-from" -> b.startFrom(StartingOffsets.parse(v));
                case "parallelism" -> b.parallelism(Integer.parseInt(v));
                case "checkpoint.interval.ms" -> b.checkpointInterval(Duration.ofMillis(Long.parseLong(v)));
                case "delivery.guarantee" -> b.deliveryGuarantee(parseDeliveryGuarantee(v));
                case "transactional-id.prefix" -> b.transactionalIdPrefix(v);
                case "transaction.timeout.ms" -> b.transactionTimeout(Duration.ofMillis(Long.parseLong(v)));
                case "frame.max-bytes" -> b.maxFrameBytes(Integer.parseInt(v));
                case "frame.max-pixels" -> b.maxPixels(Long.parseLong(v));
                case "frame.max-clock-skew.ms" -> b.maxClockSkew(Duration.ofMillis(Long.parseLong(v)));
                case "checkpoint.dir" -> b.checkpointDir(v);
                case "from-savepoint" -> b.fromSavepoint(v);
                default -> {
                    if (!key.startsWith("kafka.")) {
                        throw new IllegalArgumentException("unknown key '" + key + "' in " + file);
                    }
                    b.kafkaProperty(key.substring("kafka.".length()), v);
                }
            }
        }
        return b;
    }

    private static boolean parseBoolean(String key, String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + " must be true or false, not '" + v + "'");
        };
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String framesTopic() {
        return framesTopic;
    }

    public String eventsTopic() {
        return eventsTopic;
    }

    public String deadLetterTopic() {
        return deadLetterTopic;
    }

    /** Where the tracked objects' lifecycle and zone events go. */
    public String objectsTopic() {
        return objectsTopic;
    }

    public String groupId() {
        return groupId;
    }

    public TrackerOptions tracker() {
        return tracker;
    }

    /** A camera silent this long (processing time) ends its tracks. */
    public Duration trackingIdleTimeout() {
        return trackingIdleTimeout;
    }

    /** A camera's tracker state is dropped this long after its last frame. */
    public Duration trackingStateTtl() {
        return trackingStateTtl;
    }

    public DetectorOptions detector() {
        return detector;
    }

    /** 0 keeps the environment's default. */
    public int parallelism() {
        return parallelism;
    }

    public Duration checkpointInterval() {
        return checkpointInterval;
    }

    public DeliveryGuarantee deliveryGuarantee() {
        return deliveryGuarantee;
    }

    /** Unique per job on a Kafka cluster; the events and dead-letter sinks append their own suffix. */
    public String transactionalIdPrefix() {
        return transactionalIdPrefix;
    }

    public Duration transactionTimeout() {
        return transactionTimeout;
    }

    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    public long maxPixels() {
        return maxPixels;
    }

    /** Extra Kafka client properties, given to the source and both sinks. */
    public Map<String, String> kafkaProperties() {
        return kafkaProperties;
    }

    /**
     * Where checkpoints and savepoints go, as a URI ({@code file:///...}, {@code s3://...}); null keeps
     * them in the JobManager's memory, so a restart of the job cannot resume where it stopped.
     */
    public String checkpointDir() {
        return checkpointDir;
    }

    /** The savepoint or retained checkpoint to start from; null resumes from the newest under {@link #checkpointDir}. */
    public String fromSavepoint() {
        return fromSavepoint;
    }

    /** How far a frame's capture time may be ahead of the processing time before the frame is refused. */
    public Duration maxClockSkew() {
        return maxClockSkew;
    }

    /** This many frames in a row refused by the model fail the task (the model is broken); 0 never does. */
    public int maxConsecutiveRejections() {
        return maxConsecutiveRejections;
    }

    /** Frames per detector call at most (1: each frame at once). */
    public int batchSize() {
        return batchSize;
    }

    /** How long the first frame of a batch waits for the batch to fill. */
    public Duration batchTimeout() {
        return batchTimeout;
    }

    /**
     * Whether each detector subtask's worker thread is pinned to a core of its TaskManager's own: for a
     * TaskManager that owns its cores (a machine or a cpuset of its own), not one that shares them.
     */
    public boolean pinDetectorCores() {
        return pinDetectorCores;
    }

    /** How long a camera's events wait for a missing sequence before it is skipped. */
    public Duration orderMaxWait() {
        return orderMaxWait;
    }

    /** A camera silent this long loses its order state (it starts as a new camera when it comes back). */
    public Duration orderStateTtl() {
        return orderStateTtl;
    }

    /** Frames older than this (processing time minus capture time) before the detector are skipped; zero never. */
    public Duration maxFrameAge() {
        return maxFrameAge;
    }

    /** Where a partition without a committed offset is read from. */
    public StartingOffsets startFrom() {
        return startFrom;
    }

    public Builder toBuilder() {
        Builder b = builder()
                .bootstrapServers(bootstrapServers)
                .framesTopic(framesTopic)
                .eventsTopic(eventsTopic)
                .deadLetterTopic(deadLetterTopic)
                .objectsTopic(objectsTopic)
                .groupId(groupId)
                .detector(detector)
                .parallelism(parallelism)
                .checkpointInterval(checkpointInterval)
                .deliveryGuarantee(deliveryGuarantee)
                .transactionalIdPrefix(transactionalIdPrefix)
                .transactionTimeout(transactionTimeout)
                .maxFrameBytes(maxFrameBytes)
                .maxPixels(maxPixels)
                .maxClockSkew(maxClockSkew)
                .maxFrameAge(maxFrameAge)
                .startFrom(startFrom)
                .maxConsecutiveRejections(maxConsecutiveRejections)
                .batchSize(batchSize)
                .batchTimeout(batchTimeout)
                .pinDetectorCores(pinDetectorCores)
                .orderMaxWait(orderMaxWait)
                .orderStateTtl(orderStateTtl)
                .checkpointDir(checkpointDir)
                .fromSavepoint(fromSavepoint)
                .tracker(tracker)
                .trackingIdleTimeout(trackingIdleTimeout)
                .trackingStateTtl(trackingStateTtl);
        kafkaProperties.forEach(b::kafkaProperty);
        return b;
    }

    @Override
    public String toString() {
        return "bootstrap.servers=" + bootstrapServers + ", topics " + framesTopic + " -> " + eventsTopic
                + " (dead letters: " + deadLetterTopic + ", objects: " + objectsTopic + "), group " + groupId + ", model " + detector.bundle()
                + ", classes " + (detector.classes().isEmpty() ? "all" : detector.classes()) + ", threshold "
                + detector.scoreThreshold() + ", provider " + detector.executionProvider() + ", "
                + deliveryGuarantee + ", new partitions from " + startFrom + ", frames older than "
                + (maxFrameAge.isZero() ? "any age analysed" : maxFrameAge.toMillis() + " ms skipped") + ", checkpoints every " + checkpointInterval.toMillis() + " ms to "
                + (checkpointDir != null ? checkpointDir : "the cluster's checkpoint storage (a local environment's: memory, lost on exit)");
    }

    /**
     * Builder; defaults: topics frames/detections/frames-dlq/objects, group visionstream-detector, exactly-once,
     * tracking with {@link TrackerOptions}' defaults, idle timeout 10 s, state TTL 1 h; a new group starts at the
     * latest frame ({@link StartingOffsets#DEFAULT}), frames older than {@link #DEFAULT_MAX_FRAME_AGE} are skipped.
     */
    public static final class Builder {
        private String bootstrapServers;
        private String framesTopic = "frames";
        private String eventsTopic = "detections";
        private String deadLetterTopic = "frames-dlq";
        private String objectsTopic = "objects";
        private TrackerOptions.Builder tracker = TrackerOptions.builder();
        private Duration trackingIdleTimeout = Duration.ofSeconds(10);
        private Duration trackingStateTtl = Duration.ofHours(1);
        private String groupId = "visionstream-detector";
        private DetectorOptions.Builder detector = DetectorOptions.builder().classes(DEFAULT_CLASSES);
        private int parallelism;
        private Duration checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
        private DeliveryGuarantee deliveryGuarantee = DeliveryGuarantee.EXACTLY_ONCE;
        private String transactionalIdPrefix;
        private Duration transactionTimeout = DEFAULT_TRANSACTION_TIMEOUT;
        private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
        private long maxPixels = ImageDecoder.DEFAULT_MAX_PIXELS;
        private Duration maxClockSkew = FrameParser.DEFAULT_MAX_CLOCK_SKEW;
        private Duration maxFrameAge = DEFAULT_MAX_FRAME_AGE;
        private StartingOffsets startFrom = StartingOffsets.DEFAULT;
        private int maxConsecutiveRejections = FrameDetectFunction.DEFAULT_MAX_CONSECUTIVE_REJECTIONS;
        private int batchSize = 1;
        private Duration batchTimeout = DEFAULT_BATCH_TIMEOUT;
        private boolean pinDetectorCores;
        private Duration orderMaxWait = CameraOrderFunction.DEFAULT_MAX_WAIT;
        private Duration orderStateTtl = CameraOrderFunction.DEFAULT_STATE_TTL;
        private String checkpointDir;
        private String fromSavepoint;
        private final Map<String, String> kafkaProperties = new LinkedHashMap<>();

        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        public Builder framesTopic(String topic) {
            this.framesTopic = topic;
            return this;
        }

        public Builder eventsTopic(String topic) {
            this.eventsTopic = topic;
            return this;
        }

        public Builder deadLetterTopic(String topic) {
            this.deadLetterTopic = topic;
            return this;
        }

        public Builder objectsTopic(String topic) {
            this.objectsTopic = topic;
            return this;
        }

        public Builder tracker(TrackerOptions options) {
            this.tracker = options.toBuilder();
            return this;
        }

        /** The tracker settings being built, to change in place. */
        public TrackerOptions.Builder tracker() {
            return tracker;
        }

        public Builder trackingIdleTimeout(Duration timeout) {
            this.trackingIdleTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        public Builder trackingStateTtl(Duration ttl) {
            this.trackingStateTtl = Objects.requireNonNull(ttl);
            return this;
        }

        public Builder groupId(String group) {
            this.groupId = group;
            return this;
        }

        public Builder detector(DetectorOptions options) {
            this.detector = options.toBuilder();
            return this;
        }

        /** The detector settings being built (default classes: {@link #DEFAULT_CLASSES}), to change in place. */
        public DetectorOptions.Builder detector() {
            return detector;
        }

        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        public Builder checkpointInterval(Duration interval) {
            this.checkpointInterval = Objects.requireNonNull(interval);
            return this;
        }

        public Builder deliveryGuarantee(DeliveryGuarantee guarantee) {
            this.deliveryGuarantee = Objects.requireNonNull(guarantee);
            return this;
        }

        public Builder transactionalIdPrefix(String prefix) {
            this.transactionalIdPrefix = prefix;
            return this;
        }

        public Builder transactionTimeout(Duration timeout) {
            this.transactionTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        public Builder maxFrameBytes(int bytes) {
            this.maxFrameBytes = bytes;
            return this;
        }

        public Builder maxPixels(long pixels) {
            this.maxPixels = pixels;
            return this;
        }

        public Builder maxClockSkew(Duration skew) {
            this.maxClockSkew = Objects.requireNonNull(skew);
            return this;
        }

        /** Zero analyses every frame, however old. */
        public Builder maxFrameAge(Duration age) {
            this.maxFrameAge = Objects.requireNonNull(age);
            return this;
        }

        public Builder startFrom(StartingOffsets start) {
            this.startFrom = Objects.requireNonNull(start);
            return this;
        }

        public Builder maxConsecutiveRejections(int frames) {
            this.maxConsecutiveRejections = frames;
            return this;
        }

        public Builder batchSize(int frames) {
            this.batchSize = frames;
            return this;
        }

        public Builder batchTimeout(Duration timeout) {
            this.batchTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** Off by default: pins made by one TaskManager do not know another's on the same machine. */
        public Builder pinDetectorCores(boolean pin) {
            this.pinDetectorCores = pin;
            return this;
        }

        public Builder orderMaxWait(Duration wait) {
            this.orderMaxWait = Objects.requireNonNull(wait);
            return this;
        }

        public Builder orderStateTtl(Duration ttl) {
            this.orderStateTtl = Objects.requireNonNull(ttl);
            return this;
        }

        /** A directory or a file system URI ({@code s3://bucket/path}); null or empty: JobManager memory. */
        public Builder checkpointDir(String dir) {
            this.checkpointDir = dir;
            return this;
        }

        /** A savepoint or retained checkpoint (its directory or {@code _metadata} file) to start from. */
        public Builder fromSavepoint(String path) {
            this.fromSavepoint = path;
            return this;
        }

        public Builder kafkaProperty(String key, String value) {
            this.kafkaProperties.put(key, value);
            return this;
        }

        public DetectionJobOptions build() {
            return new DetectionJobOptions(this);
        }
    }
}
