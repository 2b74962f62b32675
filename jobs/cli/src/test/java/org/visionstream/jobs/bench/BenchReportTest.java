package org.visionstream.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;
import org.visionstream.jobs.bench.BenchReport.Ratio;
import org.visionstream.jobs.bench.EventCollector.Arrived;
import org.visionstream.jobs.bench.Measurement.Latency;
import org.visionstream.operators.events.DetectionEvent;

class BenchReportTest {

    @Test
    void percentilesAreNearestRankObservedValues() {
        double[] oneToHundred = new double[100];
        for (int i = 0; i < 100; i++) {
            oneToHundred[99 - i] = i + 1; // unsorted on purpose
        }
        Latency l = Latency.of(oneToHundred);
        assertEquals(100, l.count());
        assertEquals(50, l.p50());
        assertEquals(99, l.p99());
        // ten values: p50 is the 5th, p99 the 10th (ceil(9.9)), never an interpolation between two
        Latency ten = Latency.of(new double[] {7, 1, 9, 3, 5, 2, 8, 4, 10, 6});
        assertEquals(5, ten.p50());
        assertEquals(10, ten.p99());
        assertEquals(42, Latency.of(new double[] {42}).p99());
        assertThrows(IllegalArgumentException.class, () -> Latency.of(new double[0]));
    }

    @Test
    void ratesCountTheFramesBetweenTheFirstAndLastCompletion() {
        assertEquals(4.0, Measurement.rate(new long[] {2000, 1000, 1500, 1250, 1750}), 1e-9);
        assertEquals(50.0, Measurement.rate(100, 2_000_000_000L), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> Measurement.rate(new long[] {1000}));
        assertThrows(IllegalArgumentException.class, () -> Measurement.rate(new long[] {1000, 1000}));
    }

    @Test
    void aJobRunLeavesOutWarmUpFramesAndReportsEndToEndOnlyForLiveCameras() {
        List<Arrived> arrived = new ArrayList<>();
        // two warm-up frames that took long and must not count
        arrived.add(arrived(0, 0, 100, 5_000, 5_500));
        arrived.add(arrived(1, 0, 100, 5_100, 5_500));
        // timed frames: one detected every 50 ms, 30 ms in the job, committed 200 ms later, captured 10 ms before ingest
        for (int seq = 2; seq < 12; seq++) {
            long detect = 10_000 + 50L * seq;
            arrived.add(arrived(seq, detect - 40, detect - 30, detect, detect + 200));
        }
        Measurement drain = Measurement.ofEvents("c p1 drain", "drain", arrived, 2, 1, false, 25.0, "");
        assertEquals(20.0, drain.framesPerSecond(), 1e-9);
        assertEquals(10, drain.latency().count());
        assertEquals(30, drain.latency().p50());
        assertEquals(30, drain.latency().p99());
        assertNull(drain.endToEnd());
        assertEquals(25.0, drain.cpuMillisPerFrame());
        assertEquals("p50 decode 1.0 ms, detector 20.0 ms (mean 20.0, busy 40 %); commit wait p50 200 ms, p99 200 ms", drain.note());

        Measurement live = Measurement.ofEvents("c p1 live", "live", arrived, 2, 1, true, 25.0, "offered 20.0 frames/s");
        assertEquals(240, live.endToEnd().p50());
        assertEquals("offered 20.0 frames/s; p50 decode 1.0 ms, detector 20.0 ms (mean 20.0, busy 40 %); commit wait p50 200 ms, p99 200 ms",
                live.note());
    }

    @Test
    void aWarmUpFrameDetectedAmongTheTimedOnesCountsInTheRateAndTheDetectorsBusyTime() {
        List<Arrived> arrived = new ArrayList<>();
        for (int seq = 2; seq < 12; seq++) {
            long detect = 10_000 + 50L * seq;
            arrived.add(arrived("cam", seq, detect - 40, detect - 30, detect, detect + 200));
        }
        // a drained topic: the other camera's last warm-up frame came off Kafka after the first camera's timed ones
        arrived.add(arrived("other", 1, 0, 10_100, 10_125, 10_400));
        Measurement drain = Measurement.ofEvents("c p1 drain", "drain", arrived, 2, 1, false, 25.0, "");
        assertEquals(10 * 1000.0 / 450, drain.framesPerSecond(), 1e-9);
        assertEquals(10, drain.latency().count());
        assertEquals("p50 decode 1.0 ms, detector 20.0 ms (mean 20.0, busy 44 %); commit wait p50 200 ms, p99 200 ms; "
                + "1 warm-up frame(s) detected among the timed ones", drain.note());
    }

    @Test
    void theTablePrintsEveryRowAndTheRatiosOfRowsThatExist() {
        List<Measurement> rows = List.of(
                row("a", 40), row("b", 20), row("c p1 drain", 10), row("d", 5));
        String table = BenchReport.format(List.of("header line"), rows,
                List.of(new Ratio("c p1 drain", "a"), new Ratio("c p1 drain", "b"), new Ratio("b", "d"),
                        new Ratio("c p2 drain", "a")));
        assertTrue(table.startsWith("header line\n"), table);
        assertTrue(table.contains("(c p1 drain) / (a) = 0.25 in frames/s, 0.25 in frames per CPU second\n"), table);
        assertTrue(table.contains("(c p1 drain) / (b) = 0.50 in frames/s, 0.50 in frames per CPU second\n"), table);
        assertTrue(table.contains("(b) / (d) = 4.00 in frames/s, 4.00 in frames per CPU second\n"), table);
        assertFalse(table.contains("c p2 drain"), table);
        assertEquals(1 + 1 + rows.size() + 3, table.lines().count(), table);
    }

    @Test
    void camerasLandOnPartitionsZeroOneTwoAsTheProducersPartitionerPlacesThem() {
        for (int cameras = 1; cameras <= 4; cameras++) {
            List<String> ids = BenchCluster.camerasOnDistinctPartitions(cameras);
            assertEquals(cameras, ids.size());
            Set<Integer> partitions = new HashSet<>();
            for (int p = 0; p < cameras; p++) {
                assertEquals(p, BuiltInPartitioner.partitionForKey(ids.get(p).getBytes(StandardCharsets.UTF_8), cameras));
                partitions.add(p);
            }
            assertEquals(cameras, partitions.size());
        }
    }

    private static Measurement row(String id, double fps) {
        return new Measurement(id, id, fps, 1000 / fps, Latency.of(new double[] {1}), "per frame", null, "");
    }

    private static Arrived arrived(long seq, long capture, long ingest, long detect, long arrival) {
        return arrived("cam", seq, capture, ingest, detect, arrival);
    }

    private static Arrived arrived(String camera, long seq, long capture, long ingest, long detect, long arrival) {
        return new Arrived(new DetectionEvent(camera, seq, capture, ingest, detect, 1.0, 20.0,
                new DetectionEvent.Model("m", "v"), new DetectionEvent.Image(768, 432),
                new DetectionEvent.Source("frames", 0, seq), List.of()), arrival);
    }
}
