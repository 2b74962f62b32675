package org.visionstream.jobs.cli;

import org.visionstream.jobs.bench.LoadBenchCommand;
import org.visionstream.jobs.bench.PipelineBenchCommand;
import org.visionstream.jobs.demo.DemoCommand;
import org.visionstream.jobs.detection.JobCommand;
import org.visionstream.jobs.command.CommandLineFactory;
import org.visionstream.jobs.view.AnnotateCommand;
import org.visionstream.jobs.view.ViewCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code visionstream} command line. */
@Command(
        name = "visionstream",
        mixinStandardHelpOptions = true,
        subcommands = {DetectCommand.class, BenchCommand.class, PipelineBenchCommand.class, LoadBenchCommand.class,
            ProduceCommand.class, JobCommand.class, DemoCommand.class, ViewCommand.class, AnnotateCommand.class},
        description = "Real-time Faster R-CNN detection on camera streams.")
public final class VisionStreamCli {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with its error handling: a user mistake is one line and exit code 2. */
    public static CommandLine commandLine() {
        return CommandLineFactory.create(new VisionStreamCli());
    }
}
