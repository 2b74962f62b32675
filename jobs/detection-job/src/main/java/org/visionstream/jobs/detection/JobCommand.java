package org.visionstream.jobs.detection;

import java.nio.file.Files;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.visionstream.jobs.command.CommandLineFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code visionstream job ...}: runs the detection job until stopped. From the command line it runs in a
 * local Flink environment, where SIGTERM or Ctrl-C stops it with a savepoint; submitted with
 * {@code flink run visionstream-detection-job-VERSION-job.jar ...} it runs on that cluster. Either way a
 * start with a checkpoint directory resumes from the newest checkpoint or savepoint in it.
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
        int exit = CommandLineFactory.create(new JobCommand()).execute(args);
        if (exit != 0) {
            throw new IllegalStateException("the detection job did not start or failed (exit code " + exit + ")");
        }
    }

    @Override
    public Integer call() throws Exception {
        DetectionJobOptions options = job.options();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        // Submitted to a cluster, the bundle must be on the TaskManagers, not necessarily here.
        if (env instanceof LocalStreamEnvironment || Files.exists(options.detector().bundle())) {
            BundlePreflight.check(options.detector());
        } else {
            System.err.println("model bundle " + options.detector().bundle() + " is not on this machine; the TaskManagers"
                    + " check it when they open it");
        }
        KafkaPreflight.check(options);
        System.err.println("detection job: " + options);
        Optional<String> restore = DetectionJob.build(env, options);
        System.err.println(restore.map(p -> "resuming from " + p)
                .orElse("starting from the committed offsets of group " + options.groupId()));
        if (!(env instanceof LocalStreamEnvironment)) {
            env.execute(DetectionJob.NAME);
            return 0;
        }
        JobClient client = env.executeAsync(DetectionJob.NAME);
        stopOnSignal(client, options);
        client.getJobExecutionResult().get();
        return 0;
    }

    /**
     * SIGTERM or Ctrl-C: stop with a savepoint under the checkpoint directory, which the next start with
     * the same options resumes from; without one only a cancel is possible. A second signal exits at once.
     */
    private static void stopOnSignal(JobClient client, DetectionJobOptions o) {
        CompletableFuture<Void> stopping = new CompletableFuture<>();
        SignalHandler handler = signal -> {
            if (!stopping.complete(null)) {
                System.err.println("second stop signal: exiting without waiting for the job");
                Runtime.getRuntime().halt(130);
            }
            new Thread(() -> stop(client, o), "job-stop").start();
        };
        Signal.handle(new Signal("TERM"), handler);
        Signal.handle(new Signal("INT"), handler);
    }

    private static void stop(JobClient client, DetectionJobOptions o) {
        try {
            if (o.checkpointDir() == null) {
                System.err.println("stopping: no checkpoint directory, so the job is cancelled without a savepoint");
                client.cancel().get();
                return;
            }
            System.err.println("stopping with a savepoint ...");
            String savepoint = client.stopWithSavepoint(false, o.checkpointDir() + "/" + JobCheckpoints.SAVEPOINTS,
                    SavepointFormatType.CANONICAL).get();
            System.err.println("stopped with savepoint " + savepoint + "; the same command resumes from it");
        } catch (Exception e) {
            System.err.println("stop with savepoint failed (" + e + "); cancelling, the next start resumes from the"
                    + " newest retained checkpoint");
            client.cancel();
        }
    }
}
