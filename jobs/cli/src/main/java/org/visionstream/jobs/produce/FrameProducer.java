package org.visionstream.jobs.produce;

import org.visionstream.jobs.detection.DetectionJobOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.visionstream.jobs.produce.FrameProducerOptions.SourceKind;
import org.visionstream.jobs.produce.FrameSource.SourceFrame;
import org.visionstream.operators.frames.FrameHeaders;

/**
 * Publishes one camera's frames to Kafka in the frame format of {@link FrameHeaders}: key and
 * {@code camera-id} = the camera id, value = the JPEG (or a folder's PNG) bytes, {@code frame-seq} counting
 * up from the start sequence, {@code capture-ts} = the record timestamp = the capture time.
 *
 * <p>Sends are asynchronous. With {@code acks=all} an acknowledged frame survives a broker failure, and
 * with idempotence a retried batch neither duplicates nor reorders a camera's frames; the first send that
 * fails for good fails the run.
 *
 * <p>Frames may be up to {@link DetectionJobOptions#DEFAULT_MAX_FRAME_BYTES}, far above Kafka's 1 MiB defaults: the frames topic
 * needs {@code max.message.bytes} of at least {@link #MAX_REQUEST_BYTES}, and its consumers
 * {@code max.partition.fetch.bytes} and {@code fetch.max.bytes} as large, or big frames are rejected or
 * fetched one at a time.
 *
 * <p>{@link #run} is called once, from one thread; {@link #stop} from any thread.
 */
public final class FrameProducer implements AutoCloseable {

    /**
     * The producer's {@code max.request.size}: the largest frame the job accepts by default (16 MiB, a 4K
     * frame at any sane JPEG quality) plus room for its key, headers and batch framing.
     */
    public static final int MAX_REQUEST_BYTES = DetectionJobOptions.DEFAULT_MAX_FRAME_BYTES + (1 << 20);

    /** Room for a few maximal frames in flight while the broker acknowledges earlier ones. */
    private static final long BUFFER_MEMORY = 4L * MAX_REQUEST_BYTES;

    /** Frames come tens of milliseconds apart: batching longer would only delay them. */
    private static final int LINGER_MS = 5;

    private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final FrameProducerOptions options;
    private final Producer<byte[], byte[]> producer;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final AtomicReference<IOException> firstFailure = new AtomicReference<>();

    public FrameProducer(FrameProducerOptions options) {
        this(options, kafkaProducer(options.bootstrapServers(), options.producerProperties()));
    }

    /** With a given producer, for tests. */
    FrameProducer(FrameProducerOptions options, Producer<byte[], byte[]> producer) {
        this.options = Objects.requireNonNull(options);
        this.producer = Objects.requireNonNull(producer);
    }

    /** A Kafka producer with {@link #producerConfig}: what sends frames, here and in the load test's cameras. */
    public static Producer<byte[], byte[]> kafkaProducer(String bootstrapServers, Map<String, String> properties) {
        return new KafkaProducer<>(producerConfig(bootstrapServers, properties), new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    /** The Kafka producer settings: the frame-sized defaults, then the extra properties over them. */
    static Map<String, Object> producerConfig(String bootstrapServers, Map<String, String> properties) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_BYTES);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, BUFFER_MEMORY);
        config.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
        config.putAll(properties);
        return config;
    }

    /**
     * Reads the source to its end, to {@code maxFrames} or to {@link #stop}, publishes every sampled frame,
     * flushes and reports what was sent.
     *
     * @throws IOException when the source cannot be opened or read, or a frame could not be delivered
     */
    public ProducerSummary run(ProgressListener listener) throws IOException, InterruptedException {
        Objects.requireNonNull(listener);
        long startNanos = System.nanoTime();
        long nextProgress = startNanos + PROGRESS_INTERVAL_NANOS;
        boolean paced = options.realtime() && options.sourceKind() != SourceKind.STREAM;
        long frames = 0;
        long bytes = 0;
        try (FrameSource source = FrameSource.open(options)) {
            while (!stopped() && (options.maxFrames() == 0 || frames < options.maxFrames())) {
                SourceFrame frame = source.next();
                if (frame == null || (paced && waitUntil(frame.captureTimestamp()))) {
                    break;
                }
                send(options.startSequence() + frames, frame);
                frames++;
                bytes += frame.data().length;
                throwIfFailed();
                long now = System.nanoTime();
                if (now >= nextProgress) {
                    listener.progress(frames, bytes, seconds(now - startNanos));
                    nextProgress = now + PROGRESS_INTERVAL_NANOS;
                }
            }
        }
        producer.flush();
        throwIfFailed();
        double elapsed = seconds(System.nanoTime() - startNanos);
        listener.progress(frames, bytes, elapsed);
        long first = options.startSequence();
        return new ProducerSummary(frames, bytes, first, first + frames - 1, elapsed);
    }

    /** Makes {@link #run} return normally after the frame in hand, flushed; for a Ctrl-C shutdown hook. */
    public void stop() {
        stopRequested.countDown();
    }

    private boolean stopped() {
        return stopRequested.getCount() == 0;
    }

    /** Sleeps until the epoch-millisecond time; true if stopped meanwhile. */
    private boolean waitUntil(long epochMillis) throws InterruptedException {
        return stopRequested.await(epochMillis - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
    }

    private void send(long sequence, SourceFrame frame) {
        ProducerRecord<byte[], byte[]> record = frameRecord(options.topic(), options.cameraId(), sequence,
                frame.contentType(), frame.data(), frame.captureTimestamp());
        producer.send(record, (metadata, e) -> {
            if (e != null) {
                firstFailure.compareAndSet(null, new IOException("frame " + sequence + " of camera "
                        + options.cameraId() + " could not be sent to topic " + options.topic() + ": " + e, e));
            }
        });
    }

    /** One frame as a record of the frame format: key and headers, record timestamp = capture time. */
    public static ProducerRecord<byte[], byte[]> frameRecord(String topic, String cameraId, long sequence,
            String contentType, byte[] data, long captureTimestamp) {
        byte[] key = utf8(cameraId);
        List<Header> headers = List.of(
                new RecordHeader(FrameHeaders.CAMERA_ID, key),
                new RecordHeader(FrameHeaders.SEQUENCE, utf8(Long.toString(sequence))),
                new RecordHeader(FrameHeaders.CAPTURE_TIMESTAMP, utf8(Long.toString(captureTimestamp))),
                new RecordHeader(FrameHeaders.CONTENT_TYPE, utf8(contentType)));
        return new ProducerRecord<>(topic, null, captureTimestamp, key, data, headers);
    }

    private void throwIfFailed() throws IOException {
        IOException failure = firstFailure.get();
        if (failure != null) {
            throw failure;
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** Closes the Kafka producer, waiting a bounded time for frames still in flight. */
    @Override
    public void close() {
        producer.close(CLOSE_TIMEOUT);
    }
}
