package org.visionstream.jobs.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** The settings the job gives the environment it is built on (nothing runs). */
class DetectionJobTest {

    @Test
    void recordsAreFlushedAtOnceUnlessTheClusterSaysOtherwise() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DetectionJob.build(env, options());
        assertEquals(Duration.ZERO, env.getConfiguration().get(ExecutionOptions.BUFFER_TIMEOUT));

        Configuration cluster = new Configuration();
        cluster.set(ExecutionOptions.BUFFER_TIMEOUT, Duration.ofMillis(20));
        StreamExecutionEnvironment configured = StreamExecutionEnvironment.getExecutionEnvironment(cluster);
        DetectionJob.build(configured, options());
        assertEquals(Duration.ofMillis(20), configured.getConfiguration().get(ExecutionOptions.BUFFER_TIMEOUT));
    }

    private static DetectionJobOptions options() {
        DetectionJobOptions.Builder b = DetectionJobOptions.builder().bootstrapServers("k:9092");
        b.detector().bundle(Path.of("bundle"));
        return b.build();
    }
}
