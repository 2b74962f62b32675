package org.visionstream.jobs.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.zip.CRC32;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.visionstream.jobs.demo.DemoCommand;
import org.visionstream.jobs.kafka.CommittedRecordsReader;
import org.visionstream.jobs.produce.FrameProducer;
import org.visionstream.jobs.produce.FrameProducerOptions;
import org.visionstream.jobs.produce.ProducerSummary;
import org.visionstream.jobs.testing.EmbeddedKafkaExtension;
import org.visionstream.jobs.testing.TestData;
import org.visionstream.operators.deadletter.DeadLetterHeaders;
import org.visionstream.operators.detect.Detection;
import org.visionstream.operators.detect.Detector;
import org.visionstream.operators.detect.DetectorOptions;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.events.DetectionEventJson;
import org.visionstream.operators.events.ObjectEvent;
import org.visionstream.operators.events.ObjectEventJson;
import org.visionstream.operators.events.TrackedDetectionEvent;
import org.visionstream.operators.track.TrackerOptions;
import org.visionstream.operators.frames.FrameHeaders;
import org.visionstream.operators.preprocess.ImageDecoder;

/**
 * The whole job on a real broker and a Flink MiniCluster: frames of a shared video, the street photo
 * and bad frames of every kind go in; every frame comes out exactly once, as an event or as a dead
 * letter with the right reason, read as a read_committed consumer would. Two detector subtasks share
 * the frames of a one-partition topic in batches of up to two, and each camera's events still come out
 * in sequence order. Frames captured an hour ago are skipped as stale, each still one event (marked so,
 * in order, counted), and a new consumer group set to start from the earliest frame reads them all.
 */
class DetectionJobITCase {

    private static final int MAX_FRAME_BYTES = 2 << 20;
    private static final int VIDEO_FRAMES = 12;
    private static final int STALE_FRAMES = 3;
    /** Captured far beyond the job's maximum frame age, whatever the job's start-up takes. */
    private static final long AN_HOUR_AGO = System.currentTimeMillis() - 3_600_000;
    /** Names each bad frame; dead letters keep every header of the frame. */
    private static final String TEST_CASE = "test-case";

    /** The Prometheus reporter's port, configured as the demo does. */
    private static final int METRICS_PORT = freePort();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .setConfiguration(loopback())
            .build());

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    void everyFrameBecomesExactlyOneEventOrDeadLetter() throws Exception {
        DetectionJobOptions options = options("pipeline");
        for (String topic : List.of(options.framesTopic(), options.eventsTopic(), options.deadLetterTopic(), options.objectsTopic())) {
            KAFKA.kafka().createTopic(topic, 1, 4 * MAX_FRAME_BYTES);
        }
        byte[] street = Files.readAllBytes(TestData.STREET_JPEG);
        byte[] corrupt = street.clone();
        Arrays.fill(corrupt, 200, corrupt.length - 2, (byte) 0x55);
        byte[] oversized = Arrays.copyOf(street, MAX_FRAME_BYTES + 1);

        ProducerSummary video;
        try (FrameProducer producer = new FrameProducer(FrameProducerOptions.builder()
                .bootstrapServers(KAFKA.bootstrapServers())
                .topic(options.framesTopic())
                .cameraId("video")
                .source(TestData.SHARED.resolve("media/video/car-detection.mp4").toString())
                .fps(2)
                .maxFrames(VIDEO_FRAMES)
                .build())) {
            video = producer.run((frames, bytes, seconds) -> { });
        }
        assertEquals(VIDEO_FRAMES, video.framesSent());
        // Bad frames of every kind, each between good ones; the test-case header names each.
        long now = System.currentTimeMillis();
        Map<String, String> expectedDeadLetters = new TreeMap<>();
        try (KafkaProducer<byte[], byte[]> producer = rawProducer()) {
            send(producer, options, "street", 0, street);
            bad(producer, options, expectedDeadLetters, "corrupt", "DECODE/CORRUPT", corrupt, frameHeaders("bad", "1", now));
            bad(producer, options, expectedDeadLetters, "empty", "DECODE/EMPTY", new byte[0], frameHeaders("bad", "2", now));
            send(producer, options, "street", 1, street);
            bad(producer, options, expectedDeadLetters, "truncated", "DECODE/TRUNCATED",
                    Arrays.copyOf(street, street.length / 2), frameHeaders("bad", "3", now));
            bad(producer, options, expectedDeadLetters, "oversized", "DECODE/TOO_LARGE", oversized, frameHeaders("bad", "4", now));
            List<RecordHeader> noSequence = frameHeaders("bad", "5", now);
            noSequence.removeIf(h -> h.key().equals(FrameHeaders.SEQUENCE));
            bad(producer, options, expectedDeadLetters, "no-sequence", "HEADERS/MISSING_HEADER", street, noSequence);
            // A camera with a wrong clock: the broker would refuse its event's timestamp.
            bad(producer, options, expectedDeadLetters, "year-3000", "HEADERS/INVALID_HEADER", street,
                    frameHeaders("bad", "6", 32_503_680_000_000L));
            send(producer, options, "street", 2, street);
            List<RecordHeader> twoCameras = frameHeaders("bad", "7", now);
            twoCameras.add(new RecordHeader(FrameHeaders.CAMERA_ID, utf8("street")));
            bad(producer, options, expectedDeadLetters, "duplicated-camera-id", "HEADERS/INVALID_HEADER", street, twoCameras);
            List<RecordHeader> twoSequences = frameHeaders("bad", "8", now);
            twoSequences.add(new RecordHeader(FrameHeaders.SEQUENCE, utf8("9")));
            bad(producer, options, expectedDeadLetters, "duplicated-sequence", "HEADERS/INVALID_HEADER", street, twoSequences);
            List<RecordHeader> notUtf8 = frameHeaders("bad", "10", now);
            notUtf8.set(0, new RecordHeader(FrameHeaders.CAMERA_ID, new byte[] {'s', (byte) 0xC3, (byte) 0x28}));
            bad(producer, options, expectedDeadLetters, "non-utf8-camera-id", "HEADERS/INVALID_HEADER", street, notUtf8);
            for (String sequence : List.of("+11", " 12 ", "\u0661\u0663", "-14")) {
                bad(producer, options, expectedDeadLetters, "sequence '" + sequence + "'", "HEADERS/INVALID_HEADER", street,
                        frameHeaders("bad", sequence, now));
            }
            // 57 bytes that declare 49 Mpx: refused before a pixel is allocated.
            bad(producer, options, expectedDeadLetters, "49-mpx-png", "DECODE/DIMENSIONS_TOO_LARGE", pngDeclaring(7000, 7000),
                    frameHeaders("bad", "15", now, FrameHeaders.PNG));
            send(producer, options, "street", 3, street);
            for (int i = 0; i < STALE_FRAMES; i++) {
                send(producer, options, street, frameHeaders("old", Integer.toString(i), AN_HOUR_AGO + i));
            }
            // Stale and broken: the checks made without decoding still apply.
            bad(producer, options, expectedDeadLetters, "stale-truncated", "DECODE/TRUNCATED",
                    Arrays.copyOf(street, street.length / 2), frameHeaders("old", Integer.toString(STALE_FRAMES), AN_HOUR_AGO));
        }
        int produced = VIDEO_FRAMES + 4 + STALE_FRAMES + expectedDeadLetters.size();

        JobClient job = DetectionJob.start(StreamExecutionEnvironment.getExecutionEnvironment(), options);
        List<ConsumerRecord<byte[], byte[]>> out;
        PrometheusScrape firstScrape;
        PrometheusScrape lastScrape;
        try (CommittedRecordsReader reader = new CommittedRecordsReader(KAFKA.bootstrapServers(),
                List.of(options.eventsTopic(), options.deadLetterTopic()), 4 * MAX_FRAME_BYTES)) {
            // The first event is counted long before the last of the 16 is detected.
            firstScrape = PrometheusScrape.awaitCounter(METRICS_PORT, "visionstream_eventsOut", Duration.ofMinutes(4));
            out = new ArrayList<>(reader.readAtLeast(produced, Duration.ofMinutes(4)));
            // Anything beyond one record per frame (a duplicate) would show up within a few more checkpoints.
            reader.poll(Duration.ofSeconds(4), out::add);
            lastScrape = PrometheusScrape.of(METRICS_PORT);
            try (CommittedRecordsReader objects = new CommittedRecordsReader(KAFKA.bootstrapServers(),
                    List.of(options.objectsTopic()), 4 * MAX_FRAME_BYTES)) {
                for (long end = System.nanoTime() + 2_000_000_000L; System.nanoTime() < end; ) {
                    objects.poll(Duration.ofMillis(200), out::add);
                }
            }
        } finally {
            job.cancel().get();
        }

        List<DetectionEvent> events = new ArrayList<>();
        Map<String, String> deadLetters = new TreeMap<>();
        List<Long> streetTrackIds = new ArrayList<>();
        Set<Long> streetAppeared = new TreeSet<>();
        for (ConsumerRecord<byte[], byte[]> r : out) {
            if (r.topic().equals(options.eventsTopic())) {
                assertEquals(List.of(), DetectionEventJson.validate(r.value()), new String(r.value(), StandardCharsets.UTF_8));
                TrackedDetectionEvent tracked = DetectionEventJson.fromBytesTracked(r.value());
                events.add(tracked.event());
                if (tracked.event().cameraId().equals("street") && tracked.event().sequence() == 3) {
                    streetTrackIds.addAll(tracked.trackIds());
                }
            } else if (r.topic().equals(options.objectsTopic())) {
                assertEquals(List.of(), ObjectEventJson.validate(r.value()), new String(r.value(), StandardCharsets.UTF_8));
                ObjectEvent o = ObjectEventJson.fromBytes(r.value());
                assertTrue(!o.cameraId().equals("old"), "skipped frames are not tracked: " + o);
                if (o.cameraId().equals("street")) {
                    assertEquals(ObjectEvent.Type.APPEARED, o.type(), "the photo's objects never move nor leave");
                    assertTrue(streetAppeared.add(o.trackId()), "appeared once: " + o);
                }
            } else {
                String stageAndReason = header(r, DeadLetterHeaders.STAGE, "?") + "/" + header(r, DeadLetterHeaders.REASON, "?");
                assertEquals(null, deadLetters.put(header(r, TEST_CASE, "?"), stageAndReason), "one dead letter per frame");
            }
        }
        assertEquals(produced, events.size() + deadLetters.size(), "events + dead letters = frames produced");
        // The same photo four times: from the third (min hits), each detection scoring >= 0.6 is a confirmed track.
        TrackerOptions tracking = options.tracker();
        DetectionEvent street3 = events.stream().filter(e -> e.cameraId().equals("street") && e.sequence() == 3).findFirst().orElseThrow();
        for (int i = 0; i < street3.detections().size(); i++) {
            assertEquals(street3.detections().get(i).score() >= tracking.highScore(), streetTrackIds.get(i) != null,
                    "street #3 detection " + i + ": " + streetTrackIds);
        }
        assertEquals(new TreeSet<>(streetTrackIds.stream().filter(java.util.Objects::nonNull).toList()), streetAppeared);
        assertTrue(streetAppeared.size() >= 3, "tracked: " + streetAppeared);
                assertEquals(LongStream.range(0, VIDEO_FRAMES).boxed().toList(), sequences(events, "video"), "in order");
        assertEquals(List.of(0L, 1L, 2L, 3L), sequences(events, "street"), "in order");
        assertEquals(LongStream.range(0, STALE_FRAMES).boxed().toList(), sequences(events, "old"), "skipped, in order");
        for (DetectionEvent e : events) {
            if (e.cameraId().equals("old")) {
                assertEquals(DetectionEvent.Skipped.Reason.STALE, e.skipped().reason(), e.toString());
                assertTrue(e.skipped().ageMillis() >= 3_600_000 && e.detections().isEmpty(), e.toString());
                assertEquals(new DetectionEvent.Image(500, 406), e.image());
            } else {
                assertTrue(e.analysed(), e.toString());
            }
        }
        assertEquals(expectedDeadLetters, deadLetters);

        // The Prometheus endpoint counts what came out: the counters moved between the scrapes, dead letters by reason.
        int videoAndStreet = VIDEO_FRAMES + 4;
        assertEquals(produced, lastScrape.sum("visionstream_framesIn"), lastScrape.text());
        assertEquals(videoAndStreet + STALE_FRAMES, lastScrape.sum("visionstream_eventsOut"), lastScrape.text());
        assertEquals(STALE_FRAMES, lastScrape.sum("visionstream_framesSkippedStale"), lastScrape.text());
        assertTrue(firstScrape.sum("visionstream_eventsOut") < videoAndStreet + STALE_FRAMES, firstScrape.text());
        assertTrue(firstScrape.sum("visionstream_framesIn") <= produced, firstScrape.text());
        assertEquals(expectedDeadLetters.size(), lastScrape.sum("visionstream_deadLetters"), lastScrape.text());
        Map<String, Long> byReason = new TreeMap<>();
        expectedDeadLetters.values().forEach(v -> byReason.merge(v.substring(v.indexOf('/') + 1), 1L, Long::sum));
        assertEquals(byReason, lastScrape.byLabel("visionstream_reason_deadLetters", "reason"), lastScrape.text());
        assertEquals(videoAndStreet, lastScrape.sum("visionstream_detectLatencyMs_count"), lastScrape.text());
        assertEquals(videoAndStreet, lastScrape.sum("visionstream_captureToEventLatencyMs_count"), lastScrape.text());
        assertTrue(lastScrape.text().contains("visionstream_detectLatencyMs{") && lastScrape.text().contains("quantile=\"0.99\""),
                lastScrape.text());

        // The street photo's event carries exactly the detector core's cars, boxes in original pixels; so does
        // each video frame's, batched on two subtasks and decoded into pooled pixel arrays (frames of different
        // content in reused arrays: FrameDetectFunctionITCase).
        List<Detection> expected;
        Map<Long, List<Detection>> expectedVideo = new TreeMap<>();
        try (Detector detector = Detector.create(options.detector());
                CommittedRecordsReader frames = new CommittedRecordsReader(KAFKA.bootstrapServers(),
                        List.of(options.framesTopic()), 4 * MAX_FRAME_BYTES)) {
            expected = detector.detect(new ImageDecoder().decode(street)).detections();
            ImageDecoder asTheJob = new ImageDecoder(ImageDecoder.DEFAULT_MAX_BYTES, ImageDecoder.DEFAULT_MAX_PIXELS,
                    detector.manifest().preprocess().resize());
            for (ConsumerRecord<byte[], byte[]> r : frames.readAtLeast(produced, Duration.ofMinutes(1))) {
                if (header(r, FrameHeaders.CAMERA_ID, "?").equals("video")) {
                    expectedVideo.put(Long.parseLong(header(r, FrameHeaders.SEQUENCE, "?")),
                            detector.detect(asTheJob.decode(r.value())).detections());
                }
            }
        }
        assertEquals(VIDEO_FRAMES, expectedVideo.size());
        for (DetectionEvent e : events.stream().filter(e -> e.cameraId().equals("video")).toList()) {
            assertSameDetections(expectedVideo.get(e.sequence()), e.detections());
        }
        assertTrue(expected.stream().filter(d -> d.label().equals("car")).count() >= 3, "cars: " + expected);
        for (DetectionEvent e : events.stream().filter(e -> e.cameraId().equals("street")).toList()) {
            assertEquals(new DetectionEvent.Image(500, 406), e.image());
            assertSameDetections(expected, e.detections());
        }
    }

    private static void assertSameDetections(List<Detection> expected, List<Detection> detections) {
        assertEquals(expected.size(), detections.size());
        for (int i = 0; i < expected.size(); i++) {
            Detection got = detections.get(i);
            assertEquals(expected.get(i).label(), got.label());
            assertEquals(expected.get(i).score(), got.score(), 1e-6f);
            assertTrue(Arrays.equals(expected.get(i).box(), got.box()), Arrays.toString(got.box()));
        }
    }

    private static DetectionJobOptions options(String name) {
        return DetectionJobOptions.builder()
                .bootstrapServers(KAFKA.bootstrapServers())
                .framesTopic(name + "-frames")
                .eventsTopic(name + "-detections")
                .deadLetterTopic(name + "-dlq")
                .objectsTopic(name + "-objects")
                .groupId(name + "-group")
                // The frames are in the topic before the job starts; the stale ones are an hour old.
                .startFrom(StartingOffsets.parse("earliest"))
                .maxFrameAge(Duration.ofMinutes(10))
                .parallelism(2)
                .batchSize(2)
                .batchTimeout(Duration.ofMillis(50))
                .checkpointInterval(Duration.ofSeconds(1))
                .maxFrameBytes(MAX_FRAME_BYTES)
                .detector(DetectorOptions.builder()
                        .bundle(TestData.D2GO_BUNDLE)
                        .classes(DetectionJobOptions.DEFAULT_CLASSES)
                        .build())
                .build();
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, DetectionJobOptions o, String camera, long sequence,
            byte[] value) throws Exception {
        send(producer, o, value, frameHeaders(camera, Long.toString(sequence), AN_HOUR_AGO + 3_600_000 + sequence));
    }

    /** A frame that must become exactly one dead letter with {@code stageAndReason}. */
    private static void bad(KafkaProducer<byte[], byte[]> producer, DetectionJobOptions o, Map<String, String> expected,
            String testCase, String stageAndReason, byte[] value, List<RecordHeader> headers) throws Exception {
        expected.put(testCase, stageAndReason);
        headers.add(new RecordHeader(TEST_CASE, utf8(testCase)));
        send(producer, o, value, headers);
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, DetectionJobOptions o, byte[] value,
            List<RecordHeader> headers) throws Exception {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(o.framesTopic(), null, null, utf8("camera"), value);
        headers.forEach(r.headers()::add);
        producer.send(r).get();
    }

    private static List<RecordHeader> frameHeaders(String camera, String sequence, long captureTs) {
        return frameHeaders(camera, sequence, captureTs, FrameHeaders.JPEG);
    }

    private static List<RecordHeader> frameHeaders(String camera, String sequence, long captureTs, String contentType) {
        return new ArrayList<>(List.of(
                new RecordHeader(FrameHeaders.CAMERA_ID, utf8(camera)),
                new RecordHeader(FrameHeaders.SEQUENCE, utf8(sequence)),
                new RecordHeader(FrameHeaders.CAPTURE_TIMESTAMP, utf8(Long.toString(captureTs))),
                new RecordHeader(FrameHeaders.CONTENT_TYPE, utf8(contentType))));
    }

    /** The smallest well-formed PNG (signature, IHDR with its CRC, an empty IDAT, IEND) declaring width x height. */
    private static byte[] pngDeclaring(int width, int height) {
        ByteBuffer png = ByteBuffer.allocate(8 + 25 + 12 + 12);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put(new byte[] {8, 2, 0, 0, 0}).array());
        chunk(png, "IDAT", new byte[0]);
        chunk(png, "IEND", new byte[0]);
        return png.array();
    }

    private static void chunk(ByteBuffer png, String type, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(type.getBytes(StandardCharsets.US_ASCII));
        crc.update(data);
        png.putInt(data.length).put(type.getBytes(StandardCharsets.US_ASCII)).put(data).putInt((int) crc.getValue());
    }

    private static KafkaProducer<byte[], byte[]> rawProducer() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * MAX_FRAME_BYTES);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** The camera's sequences in the order its events were read from the topic. */
    private static List<Long> sequences(List<DetectionEvent> events, String camera) {
        return events.stream().filter(e -> e.cameraId().equals(camera)).map(DetectionEvent::sequence)
                .collect(Collectors.toList());
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String key, String missing) {
        var h = r.headers().lastHeader(key);
        return h == null ? missing : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Configuration loopback() {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        DemoCommand.addPrometheusReporter(conf, METRICS_PORT);
        return conf;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
