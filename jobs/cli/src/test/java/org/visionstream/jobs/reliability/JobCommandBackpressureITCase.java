package org.visionstream.jobs.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.visionstream.jobs.produce.FrameProducer;
import org.visionstream.jobs.testing.EmbeddedKafkaExtension;
import org.visionstream.jobs.testing.TestData;
import org.visionstream.operators.frames.FrameHeaders;

/**
 * A producer far faster than the model: a burst of frames larger than the job's whole heap waits in
 * Kafka while {@code visionstream job}, with the heap and direct-memory ceilings of bin/visionstream,
 * reads it at the model's pace. Its resident memory stays within the documented budget and every frame
 * still gives exactly one event.
 */
class JobCommandBackpressureITCase {

    private static final int FRAMES = 250;
    /** bin/visionstream's defaults (1 GiB heap, 512 MiB direct) plus 1 GiB for metaspace, code and native libraries. */
    static final long RSS_BUDGET_BYTES = (1024L + 512 + 1024) << 20;

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    void aBurstLargerThanTheHeapWaitsInKafkaWhileMemoryStaysWithinBudget() throws Exception {
        for (String topic : List.of("bp-frames", "bp-detections", "bp-dlq", "bp-objects")) {
            KAFKA.kafka().createTopic(topic, 1, FrameProducer.MAX_REQUEST_BYTES);
        }
        byte[] png = noisePng(1600, 1000);
        assertTrue((long) png.length * FRAMES > 1L << 30, "the burst (" + png.length * FRAMES + " bytes) exceeds the heap");
        Ledger ledger = new Ledger();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int i = 0; i < FRAMES; i++) {
                ledger.expectEvent("burst", i);
                ProducerRecord<byte[], byte[]> r = new ProducerRecord<>("bp-frames", utf8("burst"), png);
                r.headers().add(new RecordHeader(FrameHeaders.CAMERA_ID, utf8("burst")));
                r.headers().add(new RecordHeader(FrameHeaders.SEQUENCE, utf8(Integer.toString(i))));
                r.headers().add(new RecordHeader(FrameHeaders.CAPTURE_TIMESTAMP, utf8(Long.toString(System.currentTimeMillis()))));
                r.headers().add(new RecordHeader(FrameHeaders.CONTENT_TYPE, utf8(FrameHeaders.PNG)));
                producer.send(r);
            }
        }
        Path dir = JobProcess.emptyDirectory(Path.of("target", "reliability", "cli-backpressure").toAbsolutePath());
        try (JobProcess job = JobProcess.start(dir.resolve("job.log"), List.of("--bootstrap-servers", KAFKA.bootstrapServers(),
                "--model", TestData.D2GO_BUNDLE.toString(), "--frames-topic", "bp-frames", "--events-topic", "bp-detections",
                "--dead-letter-topic", "bp-dlq", "--objects-topic", "bp-objects", "--group-id", "bp", "--checkpoint-dir", dir.resolve("checkpoints").toString(),
                "--checkpoint-interval-ms", "1000", "--parallelism", "1", "--threads", "1"))) {
            RssSampler rss = RssSampler.start(job.pid());
            long lagWhenFirstCommitted = FRAMES
                    - Ledger.awaitCommitted(KAFKA.bootstrapServers(), "bp-detections", "bp-dlq", 1, Duration.ofMinutes(2));
            ledger.verify(KAFKA.bootstrapServers(), "bp-detections", "bp-dlq", "bp-objects", Duration.ofMinutes(6), "burst");
            long peak = rss.stop();
            System.out.printf("backpressure: peak RSS %d MiB (budget %d MiB), %d of %d frames still in Kafka at the first commit%n",
                    peak >> 20, RSS_BUDGET_BYTES >> 20, lagWhenFirstCommitted, FRAMES);
            assertTrue(peak > 0 && peak <= RSS_BUDGET_BYTES, "peak RSS " + (peak >> 20) + " MiB, budget " + (RSS_BUDGET_BYTES >> 20));
            assertTrue(lagWhenFirstCommitted > FRAMES / 2, lagWhenFirstCommitted + " frames waited in Kafka");
            assertEquals(0, job.terminate(), job.log());
        }
    }

    private static byte[] noisePng(int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Random random = new Random(7);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, FrameProducer.MAX_REQUEST_BYTES);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 4L * FrameProducer.MAX_REQUEST_BYTES);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Samples a process's resident set size (VmRSS) every 100 ms and keeps the peak. */
    static final class RssSampler {
        private final Thread thread;
        private volatile long peak;
        private volatile boolean running = true;

        private RssSampler(long pid) {
            Path status = Path.of("/proc", Long.toString(pid), "status");
            thread = new Thread(() -> {
                while (running) {
                    try {
                        for (String line : Files.readAllLines(status)) {
                            if (line.startsWith("VmRSS:")) {
                                long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
                                peak = Math.max(peak, kib << 10);
                            }
                        }
                        Thread.sleep(100);
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            }, "rss-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        static RssSampler start(long pid) {
            return new RssSampler(pid);
        }

        long stop() throws InterruptedException {
            running = false;
            thread.join(1000);
            return peak;
        }
    }
}
