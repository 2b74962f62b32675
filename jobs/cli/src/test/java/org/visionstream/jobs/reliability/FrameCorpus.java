package org.visionstream.jobs.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.visionstream.jobs.produce.FrameProducer;
import org.visionstream.operators.frames.FrameHeaders;

/**
 * Frames for the failure tests: good JPEG frames of two cameras with consecutive sequence numbers, and
 * between them one poison frame of every kind that must become a dead letter and never stop the job.
 * Every frame carries a {@code test-frame} header (kept by dead letters) so the ledger knows which is which.
 */
final class FrameCorpus implements AutoCloseable {

    static final String TEST_ID = "test-frame";
    static final List<String> CAMERAS = List.of("cam-a", "cam-b");

    /** The poison frames, by kind: each must end as exactly one dead letter. */
    enum Poison {
        CORRUPT_JPEG,
        CAPTURE_IN_YEAR_3000,
        DUPLICATED_CAMERA_ID,
        NON_UTF8_CAMERA_ID,
        SIGNED_SEQUENCE
    }

    private static final long YEAR_3000 = 32_503_680_000_000L;

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final byte[] jpeg;
    private final byte[] corrupt;
    private final Map<String, Long> nextSequence = new HashMap<>();
    private final List<Future<RecordMetadata>> pending = new ArrayList<>();
    private int sent;

    FrameCorpus(String bootstrapServers, String topic, Path jpegFile) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, FrameProducer.MAX_REQUEST_BYTES);
        // A broker killed by a test comes back within a minute: keep retrying until then.
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000);
        this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
        try {
            this.jpeg = Files.readAllBytes(jpegFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.corrupt = jpeg.clone();
        Arrays.fill(corrupt, 200, corrupt.length - 2, (byte) 0x55);
    }

    /** Sends one good frame of each camera in turn; returns the ledger entries it added. */
    void sendGood(int count, Ledger ledger) {
        for (int i = 0; i < count; i++) {
            String camera = CAMERAS.get(sent % CAMERAS.size());
            long sequence = nextSequence.merge(camera, 1L, Long::sum) - 1;
            String id = "good-" + sent;
            ledger.expectEvent(camera, sequence);
            send(camera, utf8(camera), headers(utf8(camera), Long.toString(sequence), System.currentTimeMillis()), jpeg, id);
        }
    }

    /** Sends one poison frame of every kind. */
    void sendPoison(Ledger ledger) {
        for (Poison kind : Poison.values()) {
            String id = "poison-" + kind + "-" + sent;
            ledger.expectDeadLetter(id);
            long now = System.currentTimeMillis();
            byte[] camera = utf8("cam-bad");
            List<RecordHeader> h = switch (kind) {
                case CORRUPT_JPEG -> headers(camera, "0", now);
                case CAPTURE_IN_YEAR_3000 -> headers(camera, "1", YEAR_3000);
                case DUPLICATED_CAMERA_ID -> {
                    List<RecordHeader> d = headers(camera, "2", now);
                    d.add(new RecordHeader(FrameHeaders.CAMERA_ID, utf8("cam-a")));
                    yield d;
                }
                case NON_UTF8_CAMERA_ID -> headers(new byte[] {'c', (byte) 0xC3, (byte) 0x28}, "3", now);
                case SIGNED_SEQUENCE -> headers(camera, "+4", now);
            };
            send("cam-bad", camera, h, kind == Poison.CORRUPT_JPEG ? corrupt : jpeg, id);
        }
    }

    /**
     * One round of a failure test, sent while the failure happens: a burst of good frames and one poison
     * frame of every kind, then good frames at 10 per second for two seconds; done once all are acknowledged.
     */
    CompletableFuture<Void> sendRoundAsync(Ledger ledger) {
        return CompletableFuture.runAsync(() -> {
            sendGood(8, ledger);
            sendPoison(ledger);
            for (int i = 0; i < 20; i++) {
                sendGood(1, ledger);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            flush();
        });
    }

    /** Waits until the broker acknowledged every frame sent so far. */
    void flush() {
        producer.flush();
        for (Future<RecordMetadata> f : pending) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("a frame was not acknowledged", e.getCause());
            }
        }
        pending.clear();
    }

    int sent() {
        return sent;
    }

    private void send(String key, byte[] cameraHeader, List<RecordHeader> headers, byte[] value, String id) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, null, System.currentTimeMillis(), utf8(key), value);
        headers.forEach(r.headers()::add);
        r.headers().add(new RecordHeader(TEST_ID, utf8(id)));
        pending.add(producer.send(r));
        sent++;
    }

    private static List<RecordHeader> headers(byte[] camera, String sequence, long captureTs) {
        List<RecordHeader> h = new ArrayList<>();
        h.add(new RecordHeader(FrameHeaders.CAMERA_ID, camera));
        h.add(new RecordHeader(FrameHeaders.SEQUENCE, utf8(sequence)));
        h.add(new RecordHeader(FrameHeaders.CAPTURE_TIMESTAMP, utf8(Long.toString(captureTs))));
        h.add(new RecordHeader(FrameHeaders.CONTENT_TYPE, utf8(FrameHeaders.JPEG)));
        return h;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close();
    }
}
