package org.visionstream.jobs.produce;

import org.visionstream.jobs.detection.DetectionJobOptions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visionstream.operators.frames.FrameHeaders;
import org.visionstream.operators.frames.FrameMetadata;
import org.visionstream.operators.frames.FrameParser;
import org.visionstream.operators.frames.RawFrame;
import org.visionstream.operators.preprocess.DecodedImage;
import org.visionstream.operators.preprocess.ImageDecoder;

/** The producer against Kafka's MockProducer: records checked with the detection job's own frame parser. */
class FrameProducerTest {

    private static final Path VIDEO = Path.of(System.getProperty("visionstream.shared", "../../shared"),
            "media/video/car-detection.mp4");

    @TempDir
    Path folder;

    private static MockProducer<byte[], byte[]> mock() {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private FrameProducerOptions.Builder options(String source) {
        return FrameProducerOptions.builder().bootstrapServers("unused:9092").source(source).cameraId("gate-3");
    }

    /** Writes files with their names as content. */
    private void files(String... names) throws IOException {
        for (String name : names) {
            Files.writeString(folder.resolve(name), name);
        }
    }

    private static FrameMetadata parse(ProducerRecord<byte[], byte[]> r) throws Exception {
        List<RawFrame.Header> headers = new ArrayList<>();
        for (Header h : r.headers()) {
            headers.add(new RawFrame.Header(h.key(), h.value()));
        }
        return new FrameParser(FrameParser.DEFAULT_MAX_CLOCK_SKEW)
                .parse(new RawFrame(r.topic(), 0, 0, r.timestamp(), r.key(), r.value(), headers), System.currentTimeMillis());
    }

    @Test
    void sendsFolderImagesInNameOrderInTheFrameFormat() throws Exception {
        files("b.png", "a.jpg", "c.JPEG", "notes.txt");
        Files.createDirectory(folder.resolve("d.jpg"));
        MockProducer<byte[], byte[]> kafka = mock();
        List<long[]> progress = new ArrayList<>();
        ProducerSummary summary;
        try (FrameProducer producer = new FrameProducer(options(folder.toString()).fps(10).startSequence(7).build(), kafka)) {
            summary = producer.run((frames, bytes, seconds) -> progress.add(new long[] {frames, bytes}));
        }
        List<ProducerRecord<byte[], byte[]>> records = kafka.history();
        assertEquals(List.of("a.jpg", "b.png", "c.JPEG"),
                records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList());
        List<String> types = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            ProducerRecord<byte[], byte[]> r = records.get(i);
            FrameMetadata meta = parse(r);
            assertEquals("frames", r.topic());
            assertArrayEquals("gate-3".getBytes(StandardCharsets.UTF_8), r.key());
            assertEquals("gate-3", meta.cameraId());
            assertEquals(7 + i, meta.sequence());
            assertEquals(r.timestamp(), meta.captureTimestamp());
            assertEquals(records.get(0).timestamp() + 100 * i, meta.captureTimestamp());
            types.add(meta.contentType());
        }
        assertEquals(List.of(FrameHeaders.JPEG, FrameHeaders.PNG, FrameHeaders.JPEG), types);
        assertEquals(new ProducerSummary(3, 16, 7, 9, summary.elapsedSeconds()), summary);
        assertArrayEquals(new long[] {3, 16}, progress.get(progress.size() - 1));
        assertTrue(kafka.flushed() && kafka.closed());
    }

    @Test
    void sendsVideoFramesAsJpegAtTheSampledRate() throws Exception {
        MockProducer<byte[], byte[]> kafka = mock();
        try (FrameProducer producer = new FrameProducer(options(VIDEO.toString()).maxFrames(10).build(), kafka)) {
            assertEquals(10, producer.run((f, b, s) -> {}).framesSent());
        }
        List<ProducerRecord<byte[], byte[]>> records = kafka.history();
        assertEquals(10, records.size());
        for (ProducerRecord<byte[], byte[]> r : records) {
            assertEquals(FrameHeaders.JPEG, parse(r).contentType());
            DecodedImage image = new ImageDecoder().decode(r.value());
            assertEquals(768, image.width());
            assertEquals(432, image.height());
        }
        // 12.5 fps sampled at 5 fps: the first frame at or after each 200 ms step, the tenth at 1840 ms
        assertEquals(1840, records.get(9).timestamp() - records.get(0).timestamp());
    }

    @Test
    void namesAVideoThatCannotBeOpened() {
        String missing = folder.resolve("missing.mp4").toString();
        try (FrameProducer producer = new FrameProducer(options(missing).build(), mock())) {
            IOException e = assertThrows(IOException.class, () -> producer.run((f, b, s) -> {}));
            assertTrue(e.getMessage().contains(missing), e.getMessage());
        }
    }

    @Test
    void failsTheRunWhenASendFails() throws Exception {
        files("a.jpg", "b.jpg", "c.jpg");
        MockProducer<byte[], byte[]> kafka = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
                Future<RecordMetadata> result = super.send(record, callback);
                errorNext(new TimeoutException("broker unreachable"));
                return result;
            }
        };
        try (FrameProducer producer = new FrameProducer(options(folder.toString()).build(), kafka)) {
            IOException e = assertThrows(IOException.class, () -> producer.run((f, b, s) -> {}));
            assertTrue(e.getMessage().contains("frame 0 of camera gate-3") && e.getMessage().contains("broker unreachable"),
                    e.getMessage());
        }
        assertEquals(1, kafka.history().size());
    }

    @Test
    void stopEndsTheRunAfterTheCurrentFrame() throws Exception {
        files("a.jpg", "b.jpg", "c.jpg", "d.jpg");
        AtomicReference<FrameProducer> producer = new AtomicReference<>();
        MockProducer<byte[], byte[]> kafka = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
                if (history().size() == 1) {
                    producer.get().stop();
                }
                return super.send(record, callback);
            }
        };
        producer.set(new FrameProducer(options(folder.toString()).build(), kafka));
        try (FrameProducer p = producer.get()) {
            ProducerSummary summary = p.run((f, b, s) -> {});
            assertEquals(2, summary.framesSent());
            assertEquals(1, summary.lastSequence());
        }
        assertTrue(kafka.flushed());
    }

    @Test
    void pacesInRealTimeAndStopsWhileWaiting() throws Exception {
        files("a.jpg", "b.jpg", "c.jpg");
        MockProducer<byte[], byte[]> kafka = mock();
        try (FrameProducer producer = new FrameProducer(options(folder.toString()).fps(20).realtime(true).build(), kafka)) {
            assertTrue(producer.run((f, b, s) -> {}).elapsedSeconds() >= 0.095); // frames at 0, 50 and 100 ms
        }
        try (FrameProducer producer = new FrameProducer(options(folder.toString()).fps(0.5).realtime(true).build(), mock())) {
            Thread stopper = new Thread(() -> {
                sleep(200);
                producer.stop();
            });
            stopper.start();
            ProducerSummary summary = producer.run((f, b, s) -> {}); // the second frame is due after 2 s
            stopper.join();
            assertEquals(1, summary.framesSent());
            assertTrue(summary.elapsedSeconds() < 1.5, "stopped after " + summary.elapsedSeconds() + " s");
        }
    }

    @Test
    void configuresTheProducerForLargeFramesAndLetsPropertiesOverride() {
        Map<String, Object> config = FrameProducer.producerConfig("unused:9092",
                Map.of("linger.ms", "20", "compression.type", "lz4"));
        assertEquals("unused:9092", config.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
        assertEquals("all", config.get(ProducerConfig.ACKS_CONFIG));
        assertEquals(true, config.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
        assertTrue((Integer) config.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG) > DetectionJobOptions.DEFAULT_MAX_FRAME_BYTES);
        assertTrue((Long) config.get(ProducerConfig.BUFFER_MEMORY_CONFIG) >= 2L * FrameProducer.MAX_REQUEST_BYTES);
        assertEquals("20", config.get(ProducerConfig.LINGER_MS_CONFIG));
        assertEquals("lz4", config.get(ProducerConfig.COMPRESSION_TYPE_CONFIG));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
