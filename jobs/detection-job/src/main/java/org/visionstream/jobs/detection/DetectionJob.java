package org.visionstream.jobs.detection;

import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.events.TrackedDetectionEvent;
import org.visionstream.operators.flink.CameraOrderFunction;
import org.visionstream.operators.flink.DeadLetterSerializationSchema;
import org.visionstream.operators.flink.DeadLetters;
import org.visionstream.operators.flink.DecodedFrame;
import org.visionstream.operators.flink.DetectionEventSerializationSchema;
import org.visionstream.operators.flink.FrameDecodeFunction;
import org.visionstream.operators.flink.FrameDetectFunction;
import org.visionstream.operators.flink.ObjectEventSerializationSchema;
import org.visionstream.operators.flink.ObjectEvents;
import org.visionstream.operators.flink.TrackFunction;
import org.visionstream.operators.flink.RawFrameDeserializationSchema;
import org.visionstream.operators.frames.RawFrame;

/**
 * The detection job: frames topic -> (round-robin over the subtasks) decode -> detect -> (by camera)
 * order -> track -> events topic (and objects topic), every rejected frame to the dead-letter topic with
 * its reason and stage. With exactly-once delivery (the default) events and dead
 * letters become visible to read_committed consumers when the checkpoint that covers them completes.
 */
public final class DetectionJob {

    public static final String NAME = "VisionStream detection";

    private DetectionJob() {}

    /**
     * Adds the job's pipeline to {@code env} with its checkpointing, restart and restore settings.
     *
     * @return the savepoint or checkpoint the job will start from, or empty when it starts from the frames
     *     topic's committed offsets (where there are none: {@link DetectionJobOptions#startFrom()})
     */
    public static Optional<String> build(StreamExecutionEnvironment env, DetectionJobOptions o) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, o.checkpointInterval());
        conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        if (env.getConfiguration().getOptional(RestartStrategyOptions.RESTART_STRATEGY).isEmpty()) {
            // A lost broker or TaskManager heals by itself: restart from the last checkpoint, backing off
            // to one attempt a minute instead of flooding the logs. (A cluster's own setting wins.)
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofSeconds(1));
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofMinutes(1));
        }
        if (env.getConfiguration().getOptional(ExecutionOptions.BUFFER_TIMEOUT).isEmpty()) {
            // Records here are whole frames and their events, tens per second per subtask: each is worth a
            // network flush of its own, where Flink's default (flush every 100 ms) would add up to 100 ms of
            // capture -> event latency at each of the three exchanges (spread, order, tracking).
            conf.set(ExecutionOptions.BUFFER_TIMEOUT, Duration.ZERO);
        }
        Optional<String> restore = JobCheckpoints.configure(conf, o,
                env.getConfiguration().getOptional(StateRecoveryOptions.SAVEPOINT_PATH));
        env.configure(conf);
        // No function keeps or changes its input, so chained operators may hand frames on without a deep
        // copy of the raw bytes and decoded pixels (about a megabyte each) per hop.
        env.getConfig().enableObjectReuse();
        if (o.parallelism() > 0) {
            env.setParallelism(o.parallelism());
        }
        KafkaSource<RawFrame> source = KafkaSource.<RawFrame>builder()
                .setBootstrapServers(o.bootstrapServers())
                .setTopics(o.framesTopic())
                .setGroupId(o.groupId())
                .setStartingOffsets(o.startFrom().initializer())
                .setDeserializer(new RawFrameDeserializationSchema())
                .setProperties(consumerProperties(o))
                .build();
        DataStream<RawFrame> frames = env.fromSource(source, WatermarkStrategy.noWatermarks(), "frames: " + o.framesTopic())
                .uid("frames-source");
        // Encoded frames (not pixels) are spread round-robin over the detector subtasks, so that every
        // subtask works whatever the partition count and however the frames spread over cameras. Decode
        // is chained with detect behind the spread: it runs in the detector's thread while the source
        // reads on, and the pixels never cross a channel.
        SingleOutputStreamOperator<DecodedFrame> decoded = frames
                .rebalance()
                .process(new FrameDecodeFunction(o.maxFrameBytes(), o.maxPixels(), o.maxClockSkew(), o.maxFrameAge(),
                        o.detector().bundle()))
                .name("decode")
                .uid("decode");
        SingleOutputStreamOperator<DetectionEvent> detected = decoded
                .transform("detect", TypeInformation.of(DetectionEvent.class), new FrameDetectFunction(o.detector(),
                        o.maxConsecutiveRejections(), o.batchSize(), o.batchTimeout(),
                        FrameDetectFunction.DEFAULT_PIPELINE_DEPTH, o.pinDetectorCores()))
                .uid("detect");
        // Each camera's events back in sequence order, with the dead letters' sequences as known gaps; the
        // events of frames skipped as stale (never decoded nor detected) take their place among the others.
        DataStream<CameraOrderFunction.Rejected> rejected = decoded.getSideOutput(CameraOrderFunction.REJECTED)
                .union(detected.getSideOutput(CameraOrderFunction.REJECTED));
        SingleOutputStreamOperator<DetectionEvent> events = detected
                .union(decoded.getSideOutput(FrameDecodeFunction.SKIPPED))
                .keyBy(DetectionEvent::cameraId)
                .connect(rejected.keyBy(CameraOrderFunction.Rejected::cameraId))
                .process(new CameraOrderFunction(o.orderMaxWait(), CameraOrderFunction.DEFAULT_MAX_PENDING, o.orderStateTtl()))
                .name("order by camera")
                .uid("camera-order");
        addTracking(events, o);
        decoded.getSideOutput(DeadLetters.TAG)
                .union(detected.getSideOutput(DeadLetters.TAG))
                .sinkTo(sink(o, o.deadLetterTopic(), "dlq", new DeadLetterSerializationSchema(o.deadLetterTopic())))
                .name("dead letters: " + o.deadLetterTopic())
                .uid("dead-letter-sink");
        return restore;
    }

    /**
     * The tracking stage: events keyed by camera through {@link TrackFunction} (track ids added) to the events
     * topic, its lifecycle and zone events to the objects topic, both exactly-once like the dead letters.
     * Needs each camera's events in sequence order, which the order stage before it restores after the
     * detectors worked on them in parallel.
     */
    static void addTracking(DataStream<DetectionEvent> events, DetectionJobOptions o) {
        SingleOutputStreamOperator<TrackedDetectionEvent> tracked = events
                .keyBy(DetectionEvent::cameraId)
                .process(new TrackFunction(o.tracker(), o.trackingIdleTimeout(), o.trackingStateTtl()))
                .name("track")
                .uid("track");
        tracked.sinkTo(sink(o, o.eventsTopic(), "events", new DetectionEventSerializationSchema(o.eventsTopic())))
                .name("events: " + o.eventsTopic())
                .uid("events-sink");
        tracked.getSideOutput(ObjectEvents.TAG)
                .sinkTo(sink(o, o.objectsTopic(), "objects", new ObjectEventSerializationSchema(o.objectsTopic())))
                .name("objects: " + o.objectsTopic())
                .uid("objects-sink");
    }

    /** Builds the job on {@code env} and submits it without waiting for it to end. */
    public static JobClient start(StreamExecutionEnvironment env, DetectionJobOptions o) throws Exception {
        build(env, o);
        return env.executeAsync(NAME);
    }

    /** A frame's record: the image plus room for key, headers and batch framing. */
    private static int maxRecordBytes(DetectionJobOptions o) {
        return o.maxFrameBytes() + (1 << 20);
    }

    private static Properties consumerProperties(DetectionJobOptions o) {
        Properties p = new Properties();
        // Whole frames must fit a fetch; only committed frames are read when an upstream writes transactionally.
        p.setProperty("max.partition.fetch.bytes", Integer.toString(maxRecordBytes(o)));
        p.setProperty("fetch.max.bytes", Integer.toString(Math.max(maxRecordBytes(o), 52428800)));
        p.setProperty("isolation.level", "read_committed");
        p.putAll(o.kafkaProperties());
        return p;
    }

    private static <T> KafkaSink<T> sink(DetectionJobOptions o, String topic, String suffix,
            KafkaRecordSerializationSchema<T> schema) {
        Properties p = new Properties();
        p.setProperty("max.request.size", Integer.toString(maxRecordBytes(o)));
        p.setProperty("transaction.timeout.ms", Long.toString(o.transactionTimeout().toMillis()));
        p.putAll(o.kafkaProperties());
        var builder = KafkaSink.<T>builder()
                .setBootstrapServers(o.bootstrapServers())
                .setRecordSerializer(schema)
                .setDeliveryGuarantee(o.deliveryGuarantee())
                .setKafkaProducerConfig(p);
        if (o.deliveryGuarantee() == DeliveryGuarantee.EXACTLY_ONCE) {
            builder.setTransactionalIdPrefix(o.transactionalIdPrefix() + "-" + suffix);
        }
        return builder.build();
    }
}
