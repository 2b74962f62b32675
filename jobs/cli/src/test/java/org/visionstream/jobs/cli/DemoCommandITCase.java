package org.visionstream.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.visionstream.jobs.testing.TestData;

/** The whole demo in this JVM: its in-process broker, a local Flink job, the D2Go bundle, the street video. */
class DemoCommandITCase {

    private static final String BUNDLE = TestData.D2GO_BUNDLE.toString();
    private static final String VIDEO = TestData.STREET_VIDEO.toString();

    @Test
    void theWarmUpCameraLoopsTheVideoThroughThePipelineAndNoneOfItsRecordsIsPrintedOrCounted() {
        // 2 frames/s of the 3.4 s clip are 7 frames: 10 warm-up frames take a second pass, whose sequence
        // numbers must go on from the first's for the job to answer them all.
        CliRun run = CliRun.of("demo", "--model", BUNDLE, "--metrics-port", "0", "--no-realtime", "--fps", "2",
                "--warm-up-frames", "10", "--max-frames", "3", VIDEO);
        String all = run.out() + run.err();
        assertEquals(0, run.exit(), "exit 0: the camera's frames are accounted for, no more and no fewer\n" + all);
        assertTrue(run.err().contains("warming the pipeline up: 10 frames as camera demo-warm-up"), all);
        assertFalse(run.out().contains("demo-warm-up"), all);
        List<String> events = run.out().lines()
                .filter(l -> l.startsWith("demo-camera #") && !l.contains("OBJECT"))
                .map(l -> l.substring(0, l.indexOf("  ")))
                .toList();
        assertEquals(List.of("demo-camera #0", "demo-camera #1", "demo-camera #2"), events, all);
        assertTrue(run.out().contains("events            3\n"), all);
    }
}
