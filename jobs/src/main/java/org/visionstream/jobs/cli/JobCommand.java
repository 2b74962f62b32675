package org.visionstream.jobs.cli;

import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.visionstream.jobs.detection.DetectionJob;
import org.visionstream.jobs.detection.DetectionJobOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code visionstream job ...}: runs the detection job until cancelled. From the command line it runs in
 * a local Flink environment; submitted with {@code flink run -c org.visionstream.jobs.cli.JobCommand
 * visionstream-jobs.jar ...} it runs on that cluster.
 */
@Command(
        name = "job",
        mixinStandardHelpOptions = true,
        description = "Run the detection job: frames topic -> decode -> Faster R-CNN -> events topic (+ dead letters).")
public final class JobCommand implements Callable<Integer> {

    @Mixin
    JobOptionsMixin job;

    /**
     * Entry point for {@code flink run} and application mode. It must not call {@code System.exit}: in
     * application mode main() runs inside the JobManager.
     */
    public static void main(String[] args) {
        int exit = new CommandLine(new JobCommand()).execute(args);
        if (exit != 0) {
            throw new IllegalStateException("the detection job did not start or failed (exit code " + exit + ")");
        }
    }

    @Override
    public Integer call() throws Exception {
        DetectionJobOptions options = job.options();
        System.err.println("detection job: " + options);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DetectionJob.build(env, options);
        env.execute(DetectionJob.NAME);
        return 0;
    }
}
