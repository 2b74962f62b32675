package org.visionstream.jobs.view;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.visionstream.jobs.kafka.CommittedRecordsReader;
import org.visionstream.jobs.produce.FrameProducer;
import org.visionstream.operators.frames.FrameMetadata;
import org.visionstream.operators.frames.InvalidFrameException;

/**
 * Reads the frames and detections topics on a thread of its own, as one read_committed consumer (the
 * frames topic is not transactional, so that changes nothing for frames; events are seen once their
 * checkpoint commits them), joins them by camera and sequence and hands every pair to a sink on that
 * thread. Frames the job would refuse for their headers are skipped: they have no event.
 */
final class LiveFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);

    /**
     * Records read before the end of each partition when a live feed starts: events lag their frames by a
     * checkpoint, so the first events read need the frames published shortly before them.
     */
    private static final int LIVE_BACKLOG = 200;

    /**
     * Unmatched frames kept per camera until their events come, a checkpoint interval later: 300 frames are
     * 10 s at 30 fps. 64 MiB of them at most, as the demo shares a 1 GiB heap with Flink: 200 frames of
     * 1080p, 30 of 4K, thinned beyond that (see {@link FrameEventJoiner}).
     */
    private static final int MAX_PENDING = 300;
    private static final long MAX_PENDING_BYTES = 64L << 20;

    private final String framesTopic;
    private final CommittedRecordsReader reader;
    private final FrameEventJoiner joiner;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Exception failure;
    private long joined;

    /**
     * @param backlog start shortly before the topics' ends (a live view of a running pipeline) rather than
     *     at them (the demo, whose camera starts after)
     */
    public LiveFeed(String bootstrapServers, String framesTopic, String eventsTopic, boolean backlog,
            Consumer<JoinedFrame> sink) {
        Objects.requireNonNull(sink);
        this.framesTopic = framesTopic;
        this.reader = new CommittedRecordsReader(bootstrapServers, List.of(framesTopic, eventsTopic),
                FrameProducer.MAX_REQUEST_BYTES, backlog ? LIVE_BACKLOG : 0);
        this.joiner = new FrameEventJoiner(MAX_PENDING, MAX_PENDING_BYTES, frame -> {
            sink.accept(frame);
            synchronized (this) {
                joined++;
                notifyAll();
            }
        });
        this.thread = new Thread(this::run, "live-feed");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try (reader) {
            while (running) {
                reader.poll(Duration.ofMillis(200), this::dispatch);
            }
        } catch (Exception e) {
            LOG.error("the live feed stopped reading Kafka", e);
            failure = e;
        } finally {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    private void dispatch(ConsumerRecord<byte[], byte[]> record) {
        long now = System.currentTimeMillis();
        if (record.topic().equals(framesTopic)) {
            try {
                FrameMetadata frame = TopicRecords.frame(record, now);
                joiner.frame(frame.cameraId(), frame.sequence(), record.value(), now);
            } catch (InvalidFrameException e) {
                LOG.debug("skipping frame {}/{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
            }
            return;
        }
        try {
            joiner.event(TopicRecords.event(record), now);
        } catch (IOException e) {
            LOG.warn("skipping {}", e.getMessage());
        }
    }

    /**
     * Waits until {@code count} frames have been joined since the start, or the timeout passed; true if
     * they were.
     *
     * @throws IOException when the feed stopped reading Kafka
     */
    public synchronized boolean awaitJoined(long count, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (joined < count && failure == null && thread.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        if (failure != null) {
            throw new IOException("the live feed stopped reading Kafka: " + failure.getMessage(), failure);
        }
        return joined >= count;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
    }
}
