package org.visionstream.jobs.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.visionstream.jobs.kafka.CommittedRecordsReader;
import org.visionstream.jobs.produce.FrameProducer;
import org.visionstream.operators.deadletter.DeadLetterHeaders;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.events.DetectionEventJson;

/**
 * What the job's output must hold, and the check that it does: read as a read_committed consumer from
 * the beginning, exactly one event per good frame (per camera and sequence: no gap, no duplicate) and
 * exactly one dead letter per poison frame.
 */
final class Ledger {

    /** After the expected count arrived, a duplicate would show up within a few more checkpoints. */
    private static final Duration DUPLICATE_WATCH = Duration.ofSeconds(4);

    private final TreeSet<String> events = new TreeSet<>();
    private final TreeSet<String> deadLetters = new TreeSet<>();

    void expectEvent(String camera, long sequence) {
        events.add(camera + "#" + sequence);
    }

    void expectDeadLetter(String testId) {
        deadLetters.add(testId);
    }

    int expected() {
        return events.size() + deadLetters.size();
    }

    /**
     * Reads the topics until every expected record arrived (or {@code timeout}) and checks exactly-once: of the
     * events and dead letters, and of the objects' lifecycle ({@link ObjectLedger}).
     *
     * @return the number of tracked objects
     */
    int verify(String bootstrapServers, String eventsTopic, String deadLetterTopic, String objectsTopic,
            Duration timeout, String when) throws IOException {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        ObjectLedger objects = new ObjectLedger();
        try (CommittedRecordsReader reader = new CommittedRecordsReader(bootstrapServers,
                List.of(eventsTopic, deadLetterTopic, objectsTopic), FrameProducer.MAX_REQUEST_BYTES)) {
            int[] framesOut = {0};
            long deadline = System.nanoTime() + timeout.toNanos();
            // The objects sink commits its transaction a moment after the events sink: wait for both.
            while ((framesOut[0] < expected() || !objects.complete()) && System.nanoTime() < deadline) {
                reader.poll(Duration.ofMillis(500), r -> {
                    out.add(r);
                    if (r.topic().equals(objectsTopic)) {
                        objects.add(r);
                    } else {
                        framesOut[0]++;
                        if (r.topic().equals(eventsTopic)) {
                            objects.addEvent(r);
                        }
                    }
                });
            }
            reader.poll(DUPLICATE_WATCH, r -> {
                out.add(r);
                if (r.topic().equals(objectsTopic)) {
                    objects.add(r);
                } else if (r.topic().equals(eventsTopic)) {
                    objects.addEvent(r);
                }
            });
        }
        int tracks = objects.verify(when);
        Map<String, Integer> seenEvents = new TreeMap<>();
        Map<String, Integer> seenDeadLetters = new TreeMap<>();
        Map<String, String> reasons = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : out) {
            if (r.topic().equals(objectsTopic)) {
                continue;
            }
            if (r.topic().equals(eventsTopic)) {
                DetectionEvent e = DetectionEventJson.fromBytes(r.value());
                seenEvents.merge(e.cameraId() + "#" + e.sequence(), 1, Integer::sum);
            } else {
                String id = header(r, FrameCorpus.TEST_ID);
                seenDeadLetters.merge(id, 1, Integer::sum);
                reasons.put(id, header(r, DeadLetterHeaders.STAGE) + "/" + header(r, DeadLetterHeaders.REASON));
            }
        }
        assertEquals("", differences(events, seenEvents), when + ": one event per good frame (camera#sequence)");
        assertEquals("", differences(deadLetters, seenDeadLetters), when + ": one dead letter per poison frame " + reasons);
        return tracks;
    }

    /**
     * Waits until at least {@code count} records are committed on the topics (the job is mid-stream);
     * returns how many the first reads found.
     */
    static int awaitCommitted(String bootstrapServers, String eventsTopic, String deadLetterTopic, int count,
            Duration timeout) {
        try (CommittedRecordsReader reader = new CommittedRecordsReader(bootstrapServers,
                List.of(eventsTopic, deadLetterTopic), FrameProducer.MAX_REQUEST_BYTES)) {
            int n = reader.readAtLeast(count, timeout).size();
            if (n < count) {
                throw new AssertionError(count + " records expected within " + timeout + ", " + n + " committed");
            }
            return n;
        }
    }

    /** Empty when every expected key was seen exactly once and nothing else was. */
    private static String differences(TreeSet<String> expected, Map<String, Integer> seen) {
        List<String> missing = expected.stream().filter(k -> !seen.containsKey(k)).toList();
        List<String> duplicated = seen.entrySet().stream().filter(e -> e.getValue() > 1)
                .map(e -> e.getKey() + " x" + e.getValue()).toList();
        List<String> unexpected = seen.keySet().stream().filter(k -> !expected.contains(k)).toList();
        StringBuilder b = new StringBuilder();
        if (!missing.isEmpty()) {
            b.append("missing ").append(missing).append(' ');
        }
        if (!duplicated.isEmpty()) {
            b.append("duplicated ").append(duplicated).append(' ');
        }
        if (!unexpected.isEmpty()) {
            b.append("unexpected ").append(unexpected);
        }
        return b.toString().trim();
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null || h.value() == null ? "?" : new String(h.value(), StandardCharsets.UTF_8);
    }
}
