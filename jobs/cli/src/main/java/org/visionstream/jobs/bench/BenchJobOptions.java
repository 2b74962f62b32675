package org.visionstream.jobs.bench;

import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The options of the job processes a benchmark starts, the same in bench-pipeline and bench-load. */
public final class BenchJobOptions {

    @Option(names = "--model", paramLabel = "DIR", description = "Model bundle (default: the D2Go bundle).")
    Path model = BenchCluster.HOME.resolve("model-assets/target/bundles/d2go-fbnetv3a-c4-coco");

    @Option(names = "--provider", defaultValue = "cpu", description = "cpu, cuda[:N] or tensorrt[:N] (default: ${DEFAULT-VALUE}).")
    String provider;

    @Option(names = "--checkpoint-interval-ms", defaultValue = "1000",
            description = "The job's checkpoint interval: exactly-once events are committed, and readable, at each (default: ${DEFAULT-VALUE}).")
    long checkpointIntervalMs;

    @Option(names = "--pin-cores",
            description = "Run the job with --pin-cores: each detector subtask on a core of its own (default: off, as the job).")
    boolean pinCores;

    BenchCluster.JobSettings settings(int parallelism, int threads) {
        return new BenchCluster.JobSettings(model, provider, parallelism, threads, checkpointIntervalMs, pinCores);
    }

    /** How the job commits and where its detectors run, for a table's title line. */
    String describe() {
        return String.format(Locale.ROOT, "exactly-once, checkpoints every %d ms%s", checkpointIntervalMs,
                pinCores ? ", detector subtasks pinned to cores (--pin-cores)" : "");
    }
}
