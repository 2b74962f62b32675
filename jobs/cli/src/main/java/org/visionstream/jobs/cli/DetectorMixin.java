package org.visionstream.jobs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.visionstream.jobs.command.UsageException;
import org.visionstream.jobs.detection.BundlePreflight;
import org.visionstream.operators.detect.Detector;
import org.visionstream.operators.detect.DetectorOptions;
import org.visionstream.operators.inference.ExecutionProvider;
import picocli.CommandLine.Option;

/** The detector options shared by the {@code detect}, {@code bench} and {@code annotate} commands. */
public final class DetectorMixin {

    /** Required when a detector runs, checked by {@link #open}: {@code annotate} from Kafka needs none. */
    @Option(names = "--model", paramLabel = "DIR", description = "Model bundle folder.")
    Path model;

    @Option(names = "--threshold", defaultValue = "0.5", description = "Minimum score (default: ${DEFAULT-VALUE}).")
    float threshold;

    @Option(names = "--classes", split = ",", paramLabel = "NAME", description = "Only these classes, e.g. car,bus,person (default: all, also written 'all').")
    List<String> classes = new ArrayList<>();

    @Option(names = "--provider", defaultValue = "cpu", description = "cpu, cuda[:N] or tensorrt[:N] (default: ${DEFAULT-VALUE}).")
    String provider;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads, 0 = all cores (default: ${DEFAULT-VALUE}).")
    int threads;

    /** Whether a bundle was given. */
    public boolean hasModel() {
        return model != null;
    }

    /** The detector; a missing, bad option, bundle or class name is a {@link UsageException}. */
    public Detector open() {
        if (model == null) {
            throw new UsageException("missing required option '--model=DIR': give a model bundle folder");
        }
        return BundlePreflight.open(UsageException.fromInput(this::options));
    }

    /** Every image must be a file before the model is loaded. */
    static void requireFiles(List<Path> images) {
        for (Path image : images) {
            if (!Files.isRegularFile(image)) {
                throw new UsageException("image " + image + " does not exist or is not a file: give JPEG or PNG files");
            }
        }
    }

    private DetectorOptions options() {
        return DetectorOptions.builder()
                .bundle(model)
                .scoreThreshold(threshold)
                .classes(classes)
                .executionProvider(ExecutionProvider.parse(provider))
                .intraOpThreads(threads)
                .build();
    }
}
