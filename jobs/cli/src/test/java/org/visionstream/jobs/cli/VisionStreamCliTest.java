package org.visionstream.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.visionstream.jobs.testing.TestData;

/**
 * Every user mistake the commands can see without a converted model, Kafka or Flink: one line saying what
 * is wrong and what to do, exit code 2, no stack trace unless {@code --verbose}. The mistakes that need the
 * converted bundle are in {@code VisionStreamCliITCase}.
 */
class VisionStreamCliTest {

    private static final Path DIR = Path.of("target", "cli-errors").toAbsolutePath();
    private static final String MISSING_BUNDLE = DIR.resolve("no-such-bundle").toString();
    private static Path image;
    private static Path video;

    @BeforeAll
    static void files() throws IOException {
        Files.createDirectories(DIR);
        image = TestData.STREET_JPEG;
        // Only its existence is checked before the mistake under test is found.
        video = Files.write(DIR.resolve("video.mp4"), new byte[] {1});
    }

    @Test
    void aBadNumberNamesTheOption() {
        CliRun.of("detect", "--model", MISSING_BUNDLE, "--threshold", "high", image.toString())
                .assertUsageError("detect", "Invalid value for option '--threshold': 'high' is not a float");
        CliRun.of("bench", "--model", MISSING_BUNDLE, "--iterations", "1.5", image.toString())
                .assertUsageError("bench", "'--iterations'");
        CliRun.of("job", "--model", MISSING_BUNDLE, "--parallelism", "two").assertUsageError("job", "'--parallelism'");
        CliRun.of("produce", "--bootstrap-servers", "127.0.0.1:1", "--fps", "x", video.toString())
                .assertUsageError("produce", "'--fps'");
        CliRun.of("demo", "--max-frames", "-", video.toString()).assertUsageError("demo", "'--max-frames'");
    }

    @Test
    void aNumberOutOfRangeIsAUsageError() {
        CliRun.of("detect", "--model", MISSING_BUNDLE, "--threshold", "1.5", image.toString())
                .assertUsageError("detect", "score threshold must be in [0, 1], got 1.5");
        CliRun.of("bench", "--model", MISSING_BUNDLE, "--iterations", "0", image.toString())
                .assertUsageError("bench", "--iterations >= 1");
        CliRun.of("produce", "--bootstrap-servers", "127.0.0.1:1", "--jpeg-quality", "0", video.toString())
                .assertUsageError("produce", "JPEG quality must be in [1, 100], got 0");
        CliRun.of("demo", "--parallelism", "0", video.toString()).assertUsageError("demo", "--parallelism must be >= 1");
        CliRun.of("demo", "--warm-up-frames", "-1", video.toString()).assertUsageError("demo", "--warm-up-frames must be >= 0");
        CliRun.of("demo", "--checkpoint-interval-ms", "0", video.toString())
                .assertUsageError("demo", "the checkpoint interval must be positive");
    }

    @Test
    void unknownOptionsAndMissingArgumentsPointToHelp() {
        CliRun.of("detect", "--modle", "x", image.toString()).assertUsageError("detect", "(see visionstream detect --help)");
        CliRun.of("detect", "--model", MISSING_BUNDLE).assertUsageError("detect", "Missing required parameter: 'IMAGE");
        CliRun.of("produce", video.toString()).assertUsageError("produce", "'--bootstrap-servers");
        CliRun.of("nonsense").assertUsageError("", "Unmatched argument");
    }

    @Test
    void aMissingBundleSaysWhatModelMustBe() {
        CliRun.of("detect", "--model", MISSING_BUNDLE, image.toString())
                .assertUsageError("detect", "model bundle " + MISSING_BUNDLE + " is not a directory: --model must name a converted bundle folder");
        CliRun.of("bench", "--model", MISSING_BUNDLE, image.toString()).assertUsageError("bench", "is not a directory");
        CliRun.of("job", "--bootstrap-servers", "127.0.0.1:1", "--model", MISSING_BUNDLE)
                .assertUsageError("job", "is not a directory");
    }

    @Test
    void anInvalidBundleNamesWhatIsWrong() throws IOException {
        Path bundle = Files.createDirectories(DIR.resolve("broken-bundle"));
        for (String graph : new String[] {"backbone.onnx", "rpn.onnx", "head.onnx"}) {
            Files.write(bundle.resolve(graph), new byte[0]);
        }
        Files.writeString(bundle.resolve("model.json"), "{ not json");
        CliRun.of("detect", "--model", bundle.toString(), image.toString()).assertUsageError("detect", "is not valid JSON");
        Files.delete(bundle.resolve("rpn.onnx"));
        CliRun.of("detect", "--model", bundle.toString(), image.toString()).assertUsageError("detect", "has no rpn.onnx");
    }

    @Test
    void aMissingImageOrVideoIsNamedBeforeAnythingLoads() {
        String missing = DIR.resolve("missing.jpg").toString();
        CliRun.of("detect", "--model", MISSING_BUNDLE, image.toString(), missing)
                .assertUsageError("detect", "image " + missing + " does not exist");
        CliRun.of("bench", "--model", MISSING_BUNDLE, missing).assertUsageError("bench", "image " + missing + " does not exist");
        String noVideo = DIR.resolve("missing.mp4").toString();
        CliRun.of("produce", "--bootstrap-servers", "127.0.0.1:1", noVideo)
                .assertUsageError("produce", "video " + noVideo + " does not exist: give a video file, a stream URL");
        CliRun.of("demo", noVideo).assertUsageError("demo", "video " + noVideo + " does not exist");
        CliRun.of("annotate", "--model", MISSING_BUNDLE, "--out", DIR.resolve("out.mp4").toString(), noVideo)
                .assertUsageError("annotate", "video " + noVideo + " does not exist");
        CliRun.of("bench", "--model", MISSING_BUNDLE, video.toString())
                .assertUsageError("bench", "image " + video + " cannot be decoded (neither a JPEG nor a PNG signature)");
    }

    @Test
    void badOptionCombinationsAreRefused() {
        CliRun.of("detect", "--model", MISSING_BUNDLE, "--classes", "all,car", image.toString())
                .assertUsageError("detect", "'all' stands for every class and cannot be combined");
        CliRun.of("job", "--bootstrap-servers", "127.0.0.1:1", "--model", MISSING_BUNDLE, "--require-gpu")
                .assertUsageError("job", "needs a GPU execution provider");
        CliRun.of("job", "--bootstrap-servers", "127.0.0.1:1", "--model", MISSING_BUNDLE, "--frames-topic", "detections")
                .assertUsageError("job", "the frames, events, dead-letter and objects topics must differ");
        CliRun.of("job", "--bootstrap-servers", "127.0.0.1:1", "--model", MISSING_BUNDLE, "--start-from", "yesterday")
                .assertUsageError("job", "the start position (start-from) must be earliest, latest, an ISO-8601 time");
        CliRun.of("job", "--bootstrap-servers", "127.0.0.1:1", "--model", MISSING_BUNDLE, "--max-frame-age-ms", "-5")
                .assertUsageError("job", "the maximum frame age (frame.max-age.ms) must be >= 0 (0: never skip a frame), got -5 ms");
        CliRun.of("produce", "--bootstrap-servers", "127.0.0.1:1", "--realtime", "--fps", "0", DIR.toString())
                .assertUsageError("produce", "pacing an image folder in real time needs an fps above 0");
    }

    @Test
    void badValuesOfOtherOptionsAreUsageErrors() throws IOException {
        CliRun.of("detect", "--model", MISSING_BUNDLE, "--provider", "gpu", image.toString())
                .assertUsageError("detect", "gpu");
        CliRun.of("job", "--bootstrap-servers", "127.0.0.1:1", "--model", MISSING_BUNDLE, "--delivery-guarantee", "twice")
                .assertUsageError("job", "the delivery guarantee must be exactly-once, at-least-once or none, got 'twice'");
        CliRun.of("job", "--bootstrap-servers", "127.0.0.1:1", "--model", MISSING_BUNDLE, "--kafka-property", "group.id=x")
                .assertUsageError("job", "kafka property 'group.id=x' is refused");
        String config = DIR.resolve("missing.properties").toString();
        CliRun.of("job", "--config", config).assertUsageError("job", "config file " + config + " does not exist: fix --config");
        Path bad = Files.writeString(DIR.resolve("bad.properties"), "bootstrap.servers=127.0.0.1:1\nmodel=x\nthreshold=high\n");
        CliRun.of("job", "--config", bad.toString()).assertUsageError("job", bad + ": ");
    }

    @Test
    void unreachableKafkaFailsFastWithOneLine() throws IOException {
        String nobody = "127.0.0.1:" + closedPort();
        long start = System.nanoTime();
        CliRun.of("produce", "--bootstrap-servers", nobody, video.toString())
                .assertUsageError("produce", "Kafka at " + nobody + " cannot be reached: " + nobody + " (Connection refused");
        CliRun.of("demo", "--bootstrap-servers", "no-such-host.invalid:9092", "--model", MISSING_BUNDLE, video.toString())
                .assertUsageError("demo", "cannot use Kafka at no-such-host.invalid:9092: No resolvable bootstrap urls");
        CliRun.of("produce", "--bootstrap-servers", "localhost", video.toString())
                .assertUsageError("produce", "cannot use Kafka at localhost: Invalid url in bootstrap.servers: localhost (check --bootstrap-servers");
        // Refused connections are answered at once, not after the 30 s the admin client would wait.
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(15).toNanos());
    }

    @Test
    void verboseAddsTheStackTrace() {
        for (String[] args : new String[][] {
                {"--verbose", "detect", "--model", MISSING_BUNDLE, image.toString()},
                {"detect", "--verbose", "--model", MISSING_BUNDLE, image.toString()}}) {
            CliRun r = CliRun.of(args);
            assertEquals(2, r.exit(), r.err());
            assertTrue(r.err().startsWith("visionstream detect: model bundle "), r.err());
            assertTrue(r.err().contains("UsageException") && r.err().contains("\tat org.visionstream"), r.err());
        }
        CliRun r = CliRun.of("detect", "--verbose", "--threshold", "high", "--model", MISSING_BUNDLE, image.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("ParameterException"), r.err());
    }

    /** A loopback port nothing listens on (bound, then released). */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
