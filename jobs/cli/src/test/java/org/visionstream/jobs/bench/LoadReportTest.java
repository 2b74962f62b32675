package org.visionstream.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.visionstream.jobs.bench.EventCollector.Arrived;
import org.visionstream.jobs.bench.LoadReport.Sample;
import org.visionstream.jobs.bench.LoadReport.Summary;
import org.visionstream.jobs.bench.LoadReport.Window;
import org.visionstream.operators.events.DetectionEvent;

class LoadReportTest {

    private static final long START = 1_000_000;

    @Test
    void aSteadyLagDidNotGrowAndAJobFallingBehindDid() {
        // 10 frames/s offered for 30 s, sampled every 500 ms
        List<Sample> keepsUp = new ArrayList<>();
        List<Sample> fallsBehind = new ArrayList<>();
        for (int i = 0; i <= 60; i++) {
            long sent = 5L * i;
            // keeps up: the events trail by 1.5 s of frames, with a saw-tooth of up to one 1 s checkpoint
            long trailing = 15 + (i % 2 == 0 ? 0 : 5);
            keepsUp.add(new Sample(START + 500L * i, sent, Math.max(0, sent - trailing), 0));
            // detects 9 of the 10 frames/s: the lag grows by 1 frame per second
            fallsBehind.add(new Sample(START + 500L * i, sent, Math.max(0, Math.round(4.5 * i) - 15), 0));
        }
        double steady = LoadReport.lagGrowthSeconds(keepsUp, 10);
        assertTrue(Math.abs(steady) < 0.5, "steady lag: " + steady);
        // the last third's mean lag is about 22 frames (2.2 s of offered frames) above the first third's
        double growing = LoadReport.lagGrowthSeconds(fallsBehind, 10);
        assertTrue(growing > 1.5 && growing < 2.5, "growing lag: " + growing);
        assertFalse(summary(keepsUp, 1.0).lagGrew());
        assertTrue(summary(fallsBehind, 1.0).lagGrew());
        // a tolerance of one 5 s checkpoint interval forgives what 1 s does not
        assertFalse(summary(fallsBehind, 5.0).lagGrew());
        assertThrows(IllegalArgumentException.class, () -> LoadReport.lagGrowthSeconds(keepsUp.subList(0, 2), 10));
    }

    @Test
    void windowsTakeRatesFromTheSamplesAtTheirBoundsAndLatencyFromTheEventsBetween() {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i <= 22; i++) {
            // sent 4 frames/s; received 3 frames/s after the first second; kafka lag unknown at first
            samples.add(new Sample(START + 500L * i + 3, 2L * i, Math.max(0, 3L * (i - 2) / 2), i < 4 ? -1 : 7));
        }
        List<Arrived> events = List.of(arrived(5, START + 2_000, START + 2_400), arrived(6, START + 3_000, START + 4_000),
                arrived(7, START + 6_000, START + 6_100));
        List<Window> windows = LoadReport.windows(START, 5_000, samples, events);
        // two 5 s windows and the last 1 s one (the samples end at 11 s)
        assertEquals(3, windows.size());
        Window first = windows.get(0);
        assertEquals(0, first.fromSecond());
        assertEquals(5, first.toSecond());
        assertEquals(4.0, first.offeredPerSecond(), 1e-9);
        assertEquals(2.4, first.eventsPerSecond(), 1e-9); // 0 received at 0 s, 12 at 5 s
        assertEquals(20 - 12, first.lag());
        assertEquals(7, first.kafkaLag());
        assertEquals(400, first.latency().p50());
        assertEquals(1000, first.latency().p99());
        Window second = windows.get(1);
        assertEquals(100, second.latency().p50());
        assertEquals(10, windows.get(2).fromSecond());
        assertEquals(11, windows.get(2).toSecond());
        assertNull(windows.get(2).latency());
    }

    @Test
    void aSummaryHasTheOfferedAndSustainedRatesAndTheLatencyOfEveryTimedEvent() {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i <= 20; i++) {
            samples.add(new Sample(START + 500L * i, 4L * i, 4L * Math.max(0, i - 1), 3));
        }
        List<Arrived> events = new ArrayList<>();
        for (int k = 0; k < 36; k++) {
            // detected every 125 ms (8 frames/s), 200 ms after capture, arrives 300 ms later
            long detect = START + 200 + 125L * k;
            events.add(arrived(k, detect - 200, detect + 300));
        }
        Summary s = LoadReport.summarize(new Load(4, 2), START, 5_000, samples, events, 1.0, "note");
        assertEquals(8.0, s.offeredPerSecond(), 1e-9);
        assertEquals(8.0, s.sustainedPerSecond(), 1e-9);
        assertEquals(500, s.latency().p50());
        assertEquals(2, s.windows().size());
        assertFalse(s.lagGrew());
        String table = LoadReport.formatWindows(s) + LoadReport.formatSummary(List.of(s));
        assertTrue(table.contains("load 4x2: 4 camera(s), 8.0 frames/s offered; note"), table);
        assertTrue(table.contains("highest sustained load: 4x2 (8.0 frames/s offered, 8.0 sustained, p50 500 ms"), table);
    }

    @Test
    void theSweepNamesTheHighestLoadWhoseLagDidNotGrow() {
        Summary low = withGrowth(new Load(1, 5), 0.1);
        Summary noisyMiss = withGrowth(new Load(2, 2), 3.0); // a lower load that grew: noise, not the answer
        Summary twoByFive = withGrowth(new Load(2, 5), 0.4);
        Summary fiveByTwo = withGrowth(new Load(5, 2), 0.9); // as many frames/s, more cameras: preferred
        Summary tooHigh = withGrowth(new Load(4, 5), 6.0);
        assertEquals(fiveByTwo, LoadReport.highestSustained(List.of(low, noisyMiss, twoByFive, fiveByTwo, tooHigh)).get());
        assertEquals(twoByFive, LoadReport.highestSustained(List.of(tooHigh, twoByFive, low)).get());
        assertTrue(LoadReport.highestSustained(List.of(noisyMiss, tooHigh)).isEmpty());
        assertTrue(LoadReport.formatSummary(List.of(noisyMiss, tooHigh))
                .endsWith("highest sustained load: none; the lag grew at every load\n"));
    }

    @Test
    void loadsAreCamerasTimesFps() {
        assertEquals(new Load(4, 2.5), Load.parse("4x2.5"));
        assertEquals("4x2.5", Load.parse(" 4x2.5 ").toString());
        assertEquals("2x5", new Load(2, 5).toString());
        assertEquals(10.0, Load.parse("2x5").offered());
        for (String bad : List.of("4", "x2", "4x", "4*2", "-1x2", "4x2x1", "ax2")) {
            assertThrows(IllegalArgumentException.class, () -> Load.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Load.parse("0x5"));
        assertThrows(IllegalArgumentException.class, () -> Load.parse("2x0"));
        assertThrows(IllegalArgumentException.class, () -> Load.parse("2x0.0"));
    }

    @Test
    void camerasSharingAVideoStartSpreadOverIt() {
        // 5 cameras on 2 videos of 100 frames: cameras 0, 2, 4 on video 0 at 0, 33, 66; 1 and 3 on video 1 at 0, 50
        assertEquals(List.of(0, 0, 33, 50, 66), List.of(CameraFleet.startOffset(0, 5, 2, 100),
                CameraFleet.startOffset(1, 5, 2, 100), CameraFleet.startOffset(2, 5, 2, 100),
                CameraFleet.startOffset(3, 5, 2, 100), CameraFleet.startOffset(4, 5, 2, 100)));
        assertEquals(0, CameraFleet.startOffset(0, 1, 3, 40));
        assertEquals(2, CameraFleet.startOffset(1, 2, 1, 4));
    }

    private static Summary summary(List<Sample> samples, double tolerance) {
        return LoadReport.summarize(new Load(2, 5), START, 5_000, samples, List.of(), tolerance, "");
    }

    private static Summary withGrowth(Load load, double growthSeconds) {
        return new Summary(load, load.offered(), load.offered(), null, growthSeconds, 1.0, List.of(), "");
    }

    private static Arrived arrived(long seq, long capture, long arrival) {
        return new Arrived(new DetectionEvent("cam", seq, capture, capture + 10, capture + 100, 1.0, 20.0,
                new DetectionEvent.Model("m", "v"), new DetectionEvent.Image(768, 432),
                new DetectionEvent.Source("frames", 0, seq), List.of()), arrival);
    }
}
