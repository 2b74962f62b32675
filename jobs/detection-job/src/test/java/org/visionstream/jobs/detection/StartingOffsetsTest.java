package org.visionstream.jobs.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Parsing the start position, and where each partition starts for each kind. */
class StartingOffsetsTest {

    private static final TopicPartition P0 = new TopicPartition("frames", 0);
    private static final TopicPartition P1 = new TopicPartition("frames", 1);
    private static final TopicPartition P2 = new TopicPartition("frames", 2);

    @Test
    void parsesEarliestLatestIsoTimesAndEpochMillis() {
        assertEquals(new StartingOffsets(StartingOffsets.Kind.EARLIEST, 0), StartingOffsets.parse(" Earliest "));
        assertEquals(new StartingOffsets(StartingOffsets.Kind.LATEST, 0), StartingOffsets.parse("latest"));
        assertEquals(new StartingOffsets(StartingOffsets.Kind.TIMESTAMP, 1796025600000L), StartingOffsets.parse("2026-11-30T08:00:00Z"));
        assertEquals(new StartingOffsets(StartingOffsets.Kind.TIMESTAMP, 1796025600000L), StartingOffsets.parse("2026-11-30T09:00:00+01:00"));
        assertEquals(new StartingOffsets(StartingOffsets.Kind.TIMESTAMP, 1796025600000L), StartingOffsets.parse("1796025600000"));
        assertEquals("2026-11-30T08:00:00Z", StartingOffsets.parse("1796025600000").toString());
        for (String bad : List.of("", "now", "-5", "2026-11-30", "2026-11-30T08:00:00", "99999999999999999999")) {
            var e = assertThrows(IllegalArgumentException.class, () -> StartingOffsets.parse(bad), bad);
            assertTrue(e.getMessage().contains("earliest, latest, an ISO-8601 time") && e.getMessage().contains("'" + bad + "'"),
                    e.getMessage());
        }
    }

    @Test
    void earliestAndLatestFallBackFromCommittedOffsets() {
        assertEquals(OffsetResetStrategy.EARLIEST, StartingOffsets.parse("earliest").initializer().getAutoOffsetResetStrategy());
        assertEquals(OffsetResetStrategy.LATEST, StartingOffsets.parse("latest").initializer().getAutoOffsetResetStrategy());
    }

    /** Partition 0 has a committed offset (it wins), 1 has frames after the time, 2 has none: its end. */
    @Test
    void aTimeStartsWhereNothingIsCommittedAtTheFirstFrameCapturedThenOrAtTheEnd() {
        long t = 1796025600000L;
        Retriever retriever = new Retriever(Map.of(P0, 40L), Map.of(P1, new OffsetAndTimestamp(17, t + 5)),
                Map.of(P0, 100L, P1, 90L, P2, 80L));
        OffsetsInitializer init = StartingOffsets.parse(Long.toString(t)).initializer();
        assertEquals(Map.of(P0, 40L, P1, 17L, P2, 80L), init.getPartitionOffsets(List.of(P0, P1, P2), retriever));
        assertEquals(Map.of(P1, t, P2, t), retriever.askedForTimes);
    }

    private static final class Retriever implements OffsetsInitializer.PartitionOffsetsRetriever {
        final Map<TopicPartition, Long> committed;
        final Map<TopicPartition, OffsetAndTimestamp> byTime;
        final Map<TopicPartition, Long> ends;
        Map<TopicPartition, Long> askedForTimes;

        Retriever(Map<TopicPartition, Long> committed, Map<TopicPartition, OffsetAndTimestamp> byTime, Map<TopicPartition, Long> ends) {
            this.committed = committed;
            this.byTime = byTime;
            this.ends = ends;
        }

        @Override
        public Map<TopicPartition, Long> committedOffsets(Collection<TopicPartition> partitions) {
            return only(committed, partitions);
        }

        @Override
        public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
            return only(ends, partitions);
        }

        @Override
        public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions) {
            throw new AssertionError("not needed");
        }

        @Override
        public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> times) {
            askedForTimes = times;
            return only(byTime, times.keySet());
        }

        private static <V> Map<TopicPartition, V> only(Map<TopicPartition, V> m, Collection<TopicPartition> partitions) {
            Map<TopicPartition, V> out = new HashMap<>(m);
            out.keySet().retainAll(partitions);
            return out;
        }
    }
}
