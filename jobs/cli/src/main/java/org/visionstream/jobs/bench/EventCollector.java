package org.visionstream.jobs.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.visionstream.jobs.kafka.CommittedRecordsReader;
import org.visionstream.jobs.produce.FrameProducer;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.events.DetectionEventJson;

/**
 * Reads one job run's events and dead letters as a read_committed consumer, noting when each event arrived:
 * the end of the end-to-end latency. Not thread-safe.
 */
final class EventCollector implements AutoCloseable {

    /** An event and when this consumer received it (epoch ms, the clock the capture and detect times use). */
    record Arrived(DetectionEvent event, long arrivalMillis) {}

    private static final Duration POLL = Duration.ofMillis(20);

    private final CommittedRecordsReader reader;
    private final String deadLetterTopic;
    private final List<Arrived> events = new ArrayList<>();
    private final Set<String> seen = new HashSet<>();
    private int deadLetters;

    EventCollector(String bootstrapServers, String eventsTopic, String deadLetterTopic) {
        this.reader = new CommittedRecordsReader(bootstrapServers, List.of(eventsTopic, deadLetterTopic),
                FrameProducer.MAX_REQUEST_BYTES);
        this.deadLetterTopic = deadLetterTopic;
    }

    /**
     * Reads until {@code count} events arrived. A dead letter or a duplicate event makes the run worthless as a
     * measurement of the job (frames skipped or detected twice), so both fail it, as do a job that exits and a
     * timeout.
     */
    void await(int count, Duration timeout, ChildJvm job) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (events.size() < count) {
            pollOnce(job);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(String.format(Locale.ROOT, "%d of %d events after %d s; job log:%n%s",
                        events.size(), count, timeout.toSeconds(), job.tail()));
            }
        }
    }

    /** Reads whatever arrives in one short poll, failing as {@link #await} does; returns the events read so far. */
    int pollOnce(ChildJvm job) {
        reader.poll(POLL, r -> {
            long now = System.currentTimeMillis();
            if (r.topic().equals(deadLetterTopic)) {
                deadLetters++;
                return;
            }
            try {
                DetectionEvent e = DetectionEventJson.fromBytes(r.value());
                if (!seen.add(e.cameraId() + "#" + e.sequence())) {
                    throw new IllegalStateException("duplicate event for frame " + e.sequence() + " of " + e.cameraId());
                }
                events.add(new Arrived(e, now));
            } catch (IOException ex) {
                throw new IllegalStateException("unreadable event at offset " + r.offset(), ex);
            }
        });
        if (deadLetters > 0) {
            throw new IllegalStateException(deadLetters + " dead letter(s): the frames are not all detected; job log:\n"
                    + job.tail());
        }
        job.requireAlive();
        return events.size();
    }

    List<Arrived> events() {
        return events;
    }

    @Override
    public void close() {
        reader.close();
    }
}
