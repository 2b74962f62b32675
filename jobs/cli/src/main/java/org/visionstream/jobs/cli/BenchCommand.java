package org.visionstream.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToLongFunction;
import org.visionstream.jobs.command.UsageException;
import org.visionstream.operators.detect.Detector;
import org.visionstream.operators.detect.StageTimes;
import org.visionstream.operators.detect.StageTimes.Stage;
import org.visionstream.operators.preprocess.DecodedImage;
import org.visionstream.operators.preprocess.ImageDecodeException;
import org.visionstream.operators.preprocess.ImageDecoder;
import org.visionstream.operators.preprocess.Preprocessor;
import org.visionstream.operators.preprocess.ResizePlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code visionstream bench --model DIR IMAGE...}: times the whole detector per image next to the time
 * spent inside ONNX Runtime, so the Java share of the frame time is visible. Prints a table, and where the
 * bundle has a flops.json (written by the converters) each graph's FLOPs and achieved GFLOP/s.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Time the detector per image (median, p90) against the raw ONNX Runtime graph time.")
public final class BenchCommand implements Callable<Integer> {

    @Mixin
    DetectorMixin detector;

    @Option(names = "--warmup", defaultValue = "5", description = "Untimed passes over the images (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--iterations", defaultValue = "30", description = "Timed passes over the images (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "JPEG or PNG files.")
    List<Path> images = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (warmup < 0 || iterations < 1) {
            throw new UsageException("--warmup must be >= 0 and --iterations >= 1, got " + warmup + " and " + iterations);
        }
        DetectorMixin.requireFiles(images);
        ImageDecoder decoder = new ImageDecoder();
        List<DecodedImage> decoded = new ArrayList<>();
        for (Path image : images) {
            try {
                decoded.add(decoder.decode(Files.readAllBytes(image)));
            } catch (ImageDecodeException e) {
                throw new UsageException("image " + image + " cannot be decoded (" + e.getMessage() + "): give JPEG or PNG files", e);
            }
        }
        List<long[]> samples = new ArrayList<>(); // per frame: total, then one entry per stage
        try (Detector d = detector.open()) {
            StageTimes times = new StageTimes();
            for (int pass = 0; pass < warmup + iterations; pass++) {
                for (DecodedImage image : decoded) {
                    times.reset();
                    long start = System.nanoTime();
                    d.detect(List.of(image), times);
                    long total = System.nanoTime() - start;
                    if (pass >= warmup) {
                        long[] s = new long[Stage.values().length + 1];
                        s[0] = total;
                        for (Stage stage : Stage.values()) {
                            s[stage.ordinal() + 1] = times.nanos(stage);
                        }
                        samples.add(s);
                    }
                }
            }
            printTable(d, samples);
            printFlops(d, decoded, samples);
        }
        return 0;
    }

    /**
     * Each graph's FLOPs for this run's frames and the rate achieved at the median time. flops.json counts
     * them at a nominal input; the backbone and RPN scale with the network input's area (to within the
     * rounding of each stride), the head with its RoIs (at the nominal count: every RoI of a bundle that
     * pads its proposals, an upper bound otherwise).
     */
    private void printFlops(Detector d, List<DecodedImage> decoded, List<long[]> samples) throws IOException {
        Path file = d.options().bundle().resolve("flops.json");
        if (!Files.isRegularFile(file)) {
            System.out.println("no flops.json in the bundle: convert it again to count each graph's FLOPs");
            return;
        }
        JsonNode doc = new ObjectMapper().readTree(file.toFile());
        JsonNode input = doc.get("input");
        Preprocessor preprocessor = new Preprocessor(d.manifest().preprocess());
        double pixels = 0;
        for (DecodedImage image : decoded) {
            ResizePlan plan = preprocessor.plan(image.width(), image.height());
            pixels += (double) plan.width() * plan.height() / decoded.size();
        }
        double areaScale = pixels / (input.get("height").asDouble() * input.get("width").asDouble());
        System.out.printf("%s.%nCounted at %dx%d with %d RoIs; backbone and rpn scaled to this run's mean network "
                        + "input of %.0f pixels (x%.3f).%n", doc.get("convention").asText(), input.get("height").asInt(),
                input.get("width").asInt(), input.get("rois").asInt(), pixels, areaScale);
        System.out.printf("%-36s %12s %12s %12s%n", "graph", "GFLOP", "median ms", "GFLOP/s");
        for (Stage stage : List.of(Stage.BACKBONE, Stage.RPN, Stage.HEAD)) {
            String graph = stage.name().toLowerCase(Locale.ROOT) + ".onnx";
            double gflop = doc.get("graphs").get(graph).asDouble() / 1e9 * (stage == Stage.HEAD ? 1 : areaScale);
            double median = percentile(samples, s -> stage(s, stage), 0.5);
            System.out.printf("  %-34s %12.2f %12.3f %12.1f%n", graph, gflop, median / 1e6, gflop / (median / 1e9));
        }
    }

    private void printTable(Detector d, List<long[]> samples) {
        Map<String, ToLongFunction<long[]>> rows = new LinkedHashMap<>();
        rows.put("detector, whole frame", s -> s[0]);
        rows.put("ONNX Runtime graphs", s -> stage(s, Stage.BACKBONE) + stage(s, Stage.RPN) + stage(s, Stage.HEAD));
        rows.put("  backbone.onnx", s -> stage(s, Stage.BACKBONE));
        rows.put("  rpn.onnx", s -> stage(s, Stage.RPN));
        rows.put("  head.onnx", s -> stage(s, Stage.HEAD));
        rows.put("Java preprocessing", s -> stage(s, Stage.PREPROCESS));
        rows.put("Java post-processing", s -> stage(s, Stage.PROPOSALS) + stage(s, Stage.DETECTIONS));
        rows.put("  proposals (anchors, decode, NMS)", s -> stage(s, Stage.PROPOSALS));
        rows.put("  detections (softmax, decode, NMS)", s -> stage(s, Stage.DETECTIONS));
        double totalMedian = percentile(samples, rows.get("detector, whole frame"), 0.5);
        System.out.printf("model %s %s, provider %s, intra-op threads %s, %d frames (%d images x %d passes)%n",
                d.manifest().name(), d.manifest().version(), d.executionProvider(),
                d.options().intraOpThreads() == 0 ? "auto" : d.options().intraOpThreads(),
                samples.size(), images.size(), iterations);
        System.out.printf("machine: %s, %d cores, Java %s%n", cpuModel(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.printf("%-36s %12s %12s %10s%n", "stage", "median ms", "p90 ms", "% of frame");
        for (Map.Entry<String, ToLongFunction<long[]>> row : rows.entrySet()) {
            double median = percentile(samples, row.getValue(), 0.5);
            double p90 = percentile(samples, row.getValue(), 0.9);
            System.out.printf("%-36s %12.3f %12.3f %9.2f%%%n", row.getKey(), median / 1e6, p90 / 1e6,
                    100.0 * median / totalMedian);
        }
    }

    private static long stage(long[] sample, Stage stage) {
        return sample[stage.ordinal() + 1];
    }

    /** Nearest-rank percentile. */
    private static double percentile(List<long[]> samples, ToLongFunction<long[]> metric, double q) {
        long[] values = samples.stream().mapToLong(metric).toArray();
        Arrays.sort(values);
        int rank = (int) Math.ceil(q * values.length) - 1;
        return values[Math.max(0, Math.min(rank, values.length - 1))];
    }

    /** The CPU as /proc/cpuinfo names it, else the architecture. */
    public static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse(System.getProperty("os.arch"));
        } catch (java.io.IOException e) {
            return System.getProperty("os.arch");
        }
    }
}
