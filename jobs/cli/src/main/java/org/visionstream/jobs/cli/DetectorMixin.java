package org.visionstream.jobs.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.visionstream.operators.detect.DetectorOptions;
import org.visionstream.operators.inference.ExecutionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The detector options shared by the {@code detect}, {@code bench} and {@code annotate} commands. */
public final class DetectorMixin {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** Required when a detector runs, checked by {@link #options}: {@code annotate} from Kafka needs none. */
    @Option(names = "--model", paramLabel = "DIR", description = "Model bundle folder.")
    Path model;

    @Option(names = "--threshold", defaultValue = "0.5", description = "Minimum score (default: ${DEFAULT-VALUE}).")
    float threshold;

    @Option(names = "--classes", split = ",", paramLabel = "NAME", description = "Only these classes, e.g. car,bus,person (default: all).")
    List<String> classes = new ArrayList<>();

    @Option(names = "--provider", defaultValue = "cpu", description = "cpu, cuda[:N] or tensorrt[:N] (default: ${DEFAULT-VALUE}).")
    String provider;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads, 0 = all cores (default: ${DEFAULT-VALUE}).")
    int threads;

    /** Whether a bundle was given. */
    public boolean hasModel() {
        return model != null;
    }

    public DetectorOptions options() {
        if (model == null) {
            throw new ParameterException(command.commandLine(), "Missing required option: '--model=DIR'");
        }
        return DetectorOptions.builder()
                .bundle(model)
                .scoreThreshold(threshold)
                .classes(classes)
                .executionProvider(ExecutionProvider.parse(provider))
                .intraOpThreads(threads)
                .build();
    }
}
