package org.visionstream.jobs.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which checkpoint or savepoint a new start of the job resumes from, on Flink's directory layout. */
class JobCheckpointsTest {

    private Path dir;

    @BeforeEach
    void emptyDirectory() throws IOException {
        dir = Path.of("target", "checkpoints-test").toAbsolutePath();
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir);
    }

    @Test
    void theNewestCompleteCheckpointOrSavepointWins() throws IOException {
        String root = JobCheckpoints.uri(dir.toString());
        assertEquals(Optional.empty(), JobCheckpoints.newest(root));
        assertEquals(Optional.empty(), JobCheckpoints.newest(root + "/missing"));

        Path first = metadata("7c1e/chk-3", 1_000);
        Files.createDirectories(dir.resolve("7c1e/chk-4")); // in progress when the process died: no metadata
        Files.createDirectories(dir.resolve("7c1e/shared"));
        assertEquals(first, local(JobCheckpoints.newest(root)));

        Path savepoint = metadata("savepoints/savepoint-7c1e00-1a2b", 2_000);
        assertEquals(savepoint, local(JobCheckpoints.newest(root)));

        Path laterRun = metadata("9f00/chk-1", 3_000);
        metadata("9f00/not-a-checkpoint", 4_000);
        assertEquals(laterRun, local(JobCheckpoints.newest(root)));
    }

    @Test
    void anExplicitSavepointComesFirstThenTheEnvironmentsThenTheNewest() throws IOException {
        Path newest = metadata("7c1e/chk-3", 1_000);
        DetectionJobOptions.Builder b = DetectionJobOptions.builder().bootstrapServers("k:9092").checkpointDir(dir.toString());
        b.detector().bundle(Path.of("bundle"));

        Configuration conf = new Configuration();
        assertEquals(newest, local(JobCheckpoints.configure(conf, b.build(), Optional.empty())));
        assertEquals(newest, local(Optional.of(conf.get(StateRecoveryOptions.SAVEPOINT_PATH))));
        assertEquals(RecoveryClaimMode.CLAIM, conf.get(StateRecoveryOptions.RESTORE_MODE), "the job's own checkpoint");

        conf = new Configuration();
        assertEquals(Optional.of("s3://given"), JobCheckpoints.configure(conf, b.build(), Optional.of("s3://given")));
        assertEquals(null, conf.get(StateRecoveryOptions.SAVEPOINT_PATH), "left as the environment has it");

        conf = new Configuration();
        String mine = JobCheckpoints.uri("target/my-savepoint");
        assertEquals(Optional.of(mine), JobCheckpoints.configure(conf, b.fromSavepoint("target/my-savepoint").build(),
                Optional.of("s3://given")));
        assertEquals(RecoveryClaimMode.NO_CLAIM, conf.get(StateRecoveryOptions.RESTORE_MODE), "a user's savepoint is never deleted");
    }

    private Path metadata(String folder, long modifiedMillis) throws IOException {
        Path file = Files.createDirectories(dir.resolve(folder)).resolve("_metadata");
        Files.write(file, new byte[] {1});
        Files.setLastModifiedTime(file, FileTime.fromMillis(modifiedMillis));
        return file.getParent();
    }

    /** The local folder a {@code file:} URI names, whichever of its spellings Flink returns. */
    private static Path local(Optional<String> uri) {
        URI u = URI.create(uri.orElseThrow());
        assertEquals("file", u.getScheme());
        return Path.of(u.getPath());
    }
}
