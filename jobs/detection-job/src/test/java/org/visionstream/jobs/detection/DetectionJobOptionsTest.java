package org.visionstream.jobs.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.inference.ExecutionProvider;

/** The job's configuration from a properties file, its defaults and its consistency rules. */
class DetectionJobOptionsTest {

    @Test
    void aPropertiesFileSetsEveryKeyAndPassesKafkaSettingsThrough() throws Exception {
        Path file = Files.createDirectories(Path.of("target", "options-test")).resolve("job.properties");
        Files.writeString(file, String.join("\n",
                "bootstrap.servers = kafka-1:9092,kafka-2:9092",
                "topic.frames = cam-frames",
                "topic.events = cam-events",
                "topic.dead-letters = cam-dlq",
                "group.id = detectors",
                "model = /opt/models/d2go",
                "classes = car, bus",
                "threshold = 0.7",
                "provider = cuda:1",
                "intra-op-threads = 2",
                "detector.batch.size = 8",
                "detector.batch.timeout.ms = 15",
                "detector.pin-cores = true",
                "order.max-wait.ms = 3000",
                "order.state-ttl.ms = 60000",
                "frame.max-age.ms = 30000",
                "start-from = 2026-11-30T08:00:00+01:00",
                "parallelism = 4",
                "checkpoint.interval.ms = 5000",
                "delivery.guarantee = at-least-once",
                "transaction.timeout.ms = 60000",
                "frame.max-bytes = 1048576",
                "frame.max-clock-skew.ms = 60000",
                "checkpoint.dir = s3://bucket/visionstream/checkpoints",
                "from-savepoint = target/savepoints/savepoint-1",
                "kafka.security.protocol = SSL"));
        DetectionJobOptions o = DetectionJobOptions.fromProperties(file).build();
        assertEquals("kafka-1:9092,kafka-2:9092", o.bootstrapServers());
        assertEquals(List.of("cam-frames", "cam-events", "cam-dlq"), List.of(o.framesTopic(), o.eventsTopic(), o.deadLetterTopic()));
        assertEquals("detectors", o.groupId());
        assertEquals(Path.of("/opt/models/d2go"), o.detector().bundle());
        assertEquals(Set.of("car", "bus"), o.detector().classes());
        assertEquals(0.7f, o.detector().scoreThreshold());
        assertEquals(ExecutionProvider.parse("cuda:1"), o.detector().executionProvider());
        assertEquals(2, o.detector().intraOpThreads());
        assertEquals(8, o.batchSize());
        assertEquals(Duration.ofMillis(15), o.batchTimeout());
        assertTrue(o.pinDetectorCores());
        assertTrue(o.toBuilder().build().pinDetectorCores());
        assertEquals(Duration.ofSeconds(3), o.orderMaxWait());
        assertEquals(Duration.ofMinutes(1), o.orderStateTtl());
        assertEquals(Duration.ofSeconds(30), o.maxFrameAge());
        assertEquals(StartingOffsets.parse("2026-11-30T07:00:00Z"), o.startFrom());
        assertEquals(o.startFrom(), o.toBuilder().build().startFrom());
        assertEquals(4, o.parallelism());
        assertEquals(Duration.ofSeconds(5), o.checkpointInterval());
        assertEquals(DeliveryGuarantee.AT_LEAST_ONCE, o.deliveryGuarantee());
        assertEquals(1048576, o.maxFrameBytes());
        assertEquals(Duration.ofMinutes(1), o.maxClockSkew());
        assertEquals("s3://bucket/visionstream/checkpoints", o.checkpointDir());
        assertEquals(Path.of("target/savepoints/savepoint-1").toAbsolutePath().toUri().toString(), o.fromSavepoint());
        assertEquals(Map.of("security.protocol", "SSL"), o.kafkaProperties());
        assertEquals("visionstream-detectors-cam-events", o.transactionalIdPrefix());
    }

    @Test
    void defaultsAreTheProductsClassesAndExactlyOnce() {
        DetectionJobOptions o = base().build();
        assertEquals(Set.copyOf(DetectionJobOptions.DEFAULT_CLASSES), o.detector().classes());
        assertEquals(DeliveryGuarantee.EXACTLY_ONCE, o.deliveryGuarantee());
        assertEquals(List.of("frames", "detections", "frames-dlq"), List.of(o.framesTopic(), o.eventsTopic(), o.deadLetterTopic()));
        assertTrue(o.transactionTimeout().compareTo(Duration.ofMinutes(15)) <= 0, "fits Kafka's default maximum");
        assertEquals(null, o.checkpointDir(), "JobManager memory unless a directory is given");
        assertEquals(Duration.ofHours(1), o.maxClockSkew());
        assertEquals(1, o.batchSize(), "one frame per detector call, as before batching");
        assertFalse(o.pinDetectorCores(), "pins are per JVM: only a TaskManager that owns its cores may pin");
        assertEquals(0, o.detector().intraOpThreads(), "0: the detector derives it from cores and slots");
        assertEquals(Duration.ofSeconds(1), o.checkpointInterval());
        assertEquals(Duration.ofSeconds(10), o.maxFrameAge(), "live cameras: a backlog older than 10 s is skipped");
        assertEquals(StartingOffsets.Kind.LATEST, o.startFrom().kind(), "a new group starts live");
        assertEquals(Duration.ofMinutes(10), o.orderStateTtl());
    }

    @Test
    void badAgesAndStartPositionsAreRefusedWithTheSetting() throws Exception {
        var e = assertThrows(IllegalArgumentException.class, () -> base().maxFrameAge(Duration.ofMillis(-1)).build());
        assertTrue(e.getMessage().contains("frame.max-age.ms") && e.getMessage().contains("0: never skip"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> base().orderStateTtl(Duration.ofMillis(500)).build());
        assertTrue(e.getMessage().contains("order.state-ttl.ms"), e.getMessage());
        Path file = Files.createDirectories(Path.of("target", "options-test")).resolve("start.properties");
        Files.writeString(file, "bootstrap.servers = k:9092\nmodel = bundle\nstart-from = yesterday\n");
        e = assertThrows(IllegalArgumentException.class, () -> DetectionJobOptions.fromProperties(file));
        assertTrue(e.getMessage().contains("start-from") && e.getMessage().contains("'yesterday'"), e.getMessage());
        assertEquals(Duration.ZERO, base().maxFrameAge(Duration.ZERO).build().maxFrameAge(), "0: every frame analysed");
    }

    @Test
    void aCheckpointDirectoryIsAnAbsoluteUri() {
        DetectionJobOptions o = base().checkpointDir("target/ckpt/../checkpoints").build();
        assertEquals(Path.of("target/checkpoints").toAbsolutePath().toUri().toString(), o.checkpointDir());
        assertEquals("file:///var/lib/vs", base().checkpointDir("file:///var/lib/vs").build().checkpointDir());
    }

    @Test
    void kafkaSettingsThatWeakenExactlyOnceOrThatTheJobOwnsAreRefused() {
        for (String[] kv : new String[][] {
                {"isolation.level", "read_uncommitted", "read_committed"},
                {"enable.idempotence", "false", "idempotent"},
                {"acks", "1", "acks=all"},
                {"transaction.timeout.ms", "500", "checked against the checkpoint interval"},
                {"transactional.id", "mine", "transactional-id.prefix"},
                {"group.id", "other", "--group-id"},
                {"enable.auto.commit", "true", "checkpoints"}}) {
            var e = assertThrows(IllegalArgumentException.class, () -> base().kafkaProperty(kv[0], kv[1]).build(), kv[0]);
            assertTrue(e.getMessage().contains("'" + kv[0] + "=" + kv[1] + "' is refused") && e.getMessage().contains(kv[2]),
                    e.getMessage());
        }
        // What exactly-once needs anyway is accepted, and at-least-once may read uncommitted frames.
        base().kafkaProperty("isolation.level", "read_committed").kafkaProperty("enable.idempotence", "true")
                .kafkaProperty("acks", "all").build();
        base().deliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE).kafkaProperty("isolation.level", "read_uncommitted").build();
    }

    @Test
    void inconsistentSettingsAreRefusedWithTheReason() throws Exception {
        var e = assertThrows(IllegalArgumentException.class, () -> base().eventsTopic("frames").build());
        assertTrue(e.getMessage().contains("topics must differ"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> base().checkpointInterval(Duration.ofMinutes(20)).build());
        assertTrue(e.getMessage().contains("transaction timeout"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DetectionJobOptions.builder().bootstrapServers("k:9092").build());
        assertTrue(e.getMessage().contains("model bundle"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> base().batchSize(0).build());
        assertTrue(e.getMessage().contains("detector.batch.size must be >= 1"), e.getMessage());
        Path file = Files.createDirectories(Path.of("target", "options-test")).resolve("typo.properties");
        Files.writeString(file, "bootstrap.server = k:9092\n");
        e = assertThrows(IllegalArgumentException.class, () -> DetectionJobOptions.fromProperties(file));
        assertTrue(e.getMessage().contains("unknown key 'bootstrap.server'"), e.getMessage());
    }

    @Test
    void trackingKeysAndTheZonesFileAreRead() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "options-test"));
        Files.writeString(dir.resolve("zones.json"), """
                {"cameras": {"gate-1": {"zones": [{"name": "lot", "polygon": [[0, 100], [200, 100], [200, 270]]}],
                                        "lines": [{"name": "entry", "from": [240, 0], "to": [240, 270]}]}}}""");
        Path file = dir.resolve("tracking.properties");
        Files.writeString(file, String.join("\n", "bootstrap.servers = k:9092", "model = bundle",
                "topic.objects = cam-objects", "tracking.zones = zones.json", "tracking.min-hits = 2",
                "tracking.max-age.ms = 3000", "tracking.update-interval.ms = 0", "tracking.idle-timeout.ms = 20000",
                "tracking.state-ttl.ms = 86400000"));
        DetectionJobOptions o = DetectionJobOptions.fromProperties(file).build();
        assertEquals("cam-objects", o.objectsTopic());
        assertEquals(2, o.tracker().minHits());
        assertEquals(Duration.ofSeconds(3), o.tracker().maxAge());
        assertEquals(Duration.ZERO, o.tracker().updateInterval());
        assertEquals(Duration.ofSeconds(20), o.trackingIdleTimeout());
        assertEquals(Duration.ofDays(1), o.trackingStateTtl());
        assertEquals("lot", o.tracker().zones().forCamera("gate-1").zones().get(0).name());
        assertEquals("entry", o.tracker().zones().forCamera("gate-1").lines().get(0).name());
        assertTrue(o.tracker().zones().forCamera("other").isEmpty());
        assertEquals(o.tracker(), o.toBuilder().build().tracker());

        var e = assertThrows(IllegalArgumentException.class, () -> base().objectsTopic("detections").build());
        assertTrue(e.getMessage().contains("objects topics must differ"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> base().trackingIdleTimeout(Duration.ofHours(2)).build());
        assertTrue(e.getMessage().contains("tracking.idle-timeout.ms"), e.getMessage());
        Files.writeString(dir.resolve("bad-zones.json"), "{\"cameras\": {\"c\": {\"lines\": [{\"name\": \"l\", \"from\": [1, 2]}]}}}");
        e = assertThrows(IllegalArgumentException.class, () -> base().tracker().zones(
                org.visionstream.operators.track.ZoneOptions.fromJson(dir.resolve("bad-zones.json"))));
        assertTrue(e.getMessage().contains("camera c line l: a point is [x, y]"), e.getMessage());
    }

    private static DetectionJobOptions.Builder base() {
        DetectionJobOptions.Builder b = DetectionJobOptions.builder().bootstrapServers("k:9092");
        b.detector().bundle(Path.of("bundle"));
        return b;
    }
}
