package org.visionstream.jobs.cli;

import org.visionstream.jobs.bench.PipelineBenchCommand;
import org.visionstream.jobs.demo.DemoCommand;
import org.visionstream.jobs.detection.JobCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code visionstream} command line. */
@Command(
        name = "visionstream",
        mixinStandardHelpOptions = true,
        subcommands = {DetectCommand.class, BenchCommand.class, PipelineBenchCommand.class, ProduceCommand.class, JobCommand.class, DemoCommand.class},
        description = "Real-time Faster R-CNN detection on camera streams.")
public final class VisionStreamCli {

    public static void main(String[] args) {
        System.exit(new CommandLine(new VisionStreamCli()).execute(args));
    }
}
