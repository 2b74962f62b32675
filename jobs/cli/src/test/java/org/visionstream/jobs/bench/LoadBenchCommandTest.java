package org.visionstream.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.visionstream.jobs.command.UsageException;
import picocli.CommandLine;

/** The options bench-load refuses before it starts anything, and the loads it runs. */
class LoadBenchCommandTest {

    @Test
    void oneLoadByDefaultOrFromCamerasAndFps() {
        assertEquals(List.of(new Load(2, 5)), parse().loads());
        assertEquals(List.of(new Load(3, 2.5)), parse("--cameras", "3", "--fps", "2.5").loads());
        assertEquals(List.of(new Load(4, 5)), parse("--cameras", "4").loads());
    }

    @Test
    void aSweepRunsItsLoadsInTheGivenOrder() {
        assertEquals(List.of(new Load(1, 5), new Load(4, 2), new Load(2, 5)), parse("--sweep", "1x5,4x2,2x5").loads());
    }

    @Test
    void mistakesAreUsageErrorsThatSayWhatToDo() {
        assertRefused("--sweep replaces --cameras and --fps", "--sweep", "1x5,2x5", "--fps", "2");
        assertRefused("a load is CAMERASxFPS, e.g. 4x2.5, got '2*5'", "--sweep", "1x5,2*5");
        assertRefused("a load needs at least one camera", "--cameras", "0");
        assertRefused("a camera's fps must be above 0", "--fps", "0");
        assertRefused("--duration-s must be >= 15 (3 windows (--window-s)", "--duration-s", "10");
        assertRefused("--duration-s must be >= 30", "--duration-s", "20", "--window-s", "10");
        assertRefused("--window-s must be >= 1", "--window-s", "0", "--duration-s", "20");
        assertRefused("--warmup must be >= 1", "--warmup", "0");
        assertRefused("--parallelism must be >= 1", "--parallelism", "0");
        assertRefused("--threads must be >= 1", "--threads", "0");
        assertRefused("--checkpoint-interval-ms must be >= 1", "--checkpoint-interval-ms", "0");
    }

    private static void assertRefused(String fragment, String... args) {
        UsageException e = assertThrows(UsageException.class, () -> parse(args).loads());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    private static LoadBenchCommand parse(String... args) {
        LoadBenchCommand command = new LoadBenchCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }
}
