package org.visionstream.jobs.produce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameSamplerTest {

    /** The timestamps (ms) the sampler keeps out of frames at the given timestamps (microseconds). */
    private static List<Long> kept(FrameSampler sampler, long... timestampsMicros) {
        List<Long> out = new ArrayList<>();
        for (long t : timestampsMicros) {
            if (sampler.keep(t)) {
                out.add(t / 1000);
            }
        }
        return out;
    }

    /** {@code count} frames at {@code fps}, rounded to microseconds like a container's timestamps. */
    private static long[] frames(double fps, int count) {
        long[] t = new long[count];
        for (int i = 0; i < count; i++) {
            t[i] = Math.round(i * 1e6 / fps);
        }
        return t;
    }

    @Test
    void keepsFiveOfEveryTwelveAndAHalfFrames() {
        List<Long> kept = kept(new FrameSampler(5), frames(12.5, 125)); // 10 s of video
        assertEquals(50, kept.size());
        // the first frame at or after each 200 ms step
        assertEquals(List.of(0L, 240L, 400L, 640L, 800L, 1040L), kept.subList(0, 6));
    }

    @Test
    void followsTimestampsNotFrameCounts() {
        // 30 fps for one second, then a one-second gap, then 30 fps again: 5 + 5 frames, none for the gap
        long[] t = new long[60];
        for (int i = 0; i < 60; i++) {
            t[i] = Math.round(i * 1e6 / 30) + (i >= 30 ? 2_000_000 : 0);
        }
        List<Long> kept = kept(new FrameSampler(5), t);
        assertEquals(10, kept.size());
        assertTrue(kept.stream().noneMatch(ms -> ms >= 1000 && ms < 3000), kept.toString());
    }

    @Test
    void keepsTheFrameOnTheStepDespiteRounding() {
        // 29.97 fps timestamps do not land on the 200 ms steps; 25 fps ones do, maybe a microsecond early
        assertEquals(List.of(0L, 199L, 400L), kept(new FrameSampler(5), 0, 40_000, 80_000, 120_000, 160_000,
                199_999, 240_000, 280_000, 320_000, 360_000, 400_000));
        assertEquals(50, kept(new FrameSampler(5), frames(30_000 / 1001.0, 300)).size());
    }

    @Test
    void keepsEverythingSlowerThanTheRateOrAtFpsZero() {
        assertEquals(40, kept(new FrameSampler(5), frames(4, 40)).size());
        assertEquals(125, kept(new FrameSampler(0), frames(12.5, 125)).size());
        assertEquals(3, kept(new FrameSampler(0), 7, 7, 7).size());
    }

    @Test
    void restartsOnAClockThatGoesBack() {
        assertEquals(List.of(0L, 200L, 100L, 300L),
                kept(new FrameSampler(5), 0, 100_000, 200_000, 100_000, 200_000, 300_000));
    }

    @Test
    void rejectsNegativeRates() {
        assertThrows(IllegalArgumentException.class, () -> new FrameSampler(-5));
    }
}
