package org.visionstream.jobs.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.visionstream.operators.detect.DetectorOptions;
import org.visionstream.operators.inference.ExecutionProvider;
import picocli.CommandLine.Option;

/** The detector options shared by the {@code detect} and {@code bench} commands. */
final class DetectorMixin {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model bundle folder.")
    Path model;

    @Option(names = "--threshold", defaultValue = "0.5", description = "Minimum score (default: ${DEFAULT-VALUE}).")
    float threshold;

    @Option(names = "--classes", split = ",", paramLabel = "NAME", description = "Only these classes, e.g. car,bus,person (default: all).")
    List<String> classes = new ArrayList<>();

    @Option(names = "--provider", defaultValue = "cpu", description = "cpu, cuda[:N] or tensorrt[:N] (default: ${DEFAULT-VALUE}).")
    String provider;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads, 0 = all cores (default: ${DEFAULT-VALUE}).")
    int threads;

    DetectorOptions options() {
        return DetectorOptions.builder()
                .bundle(model)
                .scoreThreshold(threshold)
                .classes(classes)
                .executionProvider(ExecutionProvider.parse(provider))
                .intraOpThreads(threads)
                .build();
    }
}
