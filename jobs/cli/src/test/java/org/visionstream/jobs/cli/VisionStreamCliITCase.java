package org.visionstream.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.visionstream.jobs.testing.TestData;

/**
 * The user mistakes that need the converted D2Go bundle (class names, a bundle whose graphs are broken), and
 * {@code --classes all} meaning every class in every command. No Kafka or Flink starts: every case ends
 * in the checks before them.
 */
class VisionStreamCliITCase {

    private static final String BUNDLE = TestData.D2GO_BUNDLE.toString();
    private static final String IMAGE = TestData.STREET_JPEG.toString();
    private static final String VIDEO = TestData.STREET_VIDEO.toString();

    @Test
    void anUnknownClassListsTheBundlesClassesInEveryCommand() throws IOException {
        String expected = "class 'lorry' is not in bundle d2go-fbnetv3a-c4-coco: use 'all' or names from person,bicycle,car,";
        CliRun.of("detect", "--model", BUNDLE, "--classes", "car,lorry", IMAGE).assertUsageError("detect", expected);
        CliRun.of("bench", "--model", BUNDLE, "--classes", "lorry", IMAGE).assertUsageError("bench", expected);
        CliRun.of("job", "--bootstrap-servers", "127.0.0.1:" + closedPort(), "--model", BUNDLE, "--classes", "lorry")
                .assertUsageError("job", expected);
        CliRun.of("demo", "--model", BUNDLE, "--classes", "lorry", VIDEO).assertUsageError("demo", expected);
    }

    @Test
    void allMeansEveryClassOfTheBundle() throws IOException {
        CliRun all = CliRun.of("detect", "--model", BUNDLE, "--classes", "all", IMAGE);
        CliRun unfiltered = CliRun.of("detect", "--model", BUNDLE, IMAGE);
        assertEquals(0, all.exit(), all.err());
        assertEquals(0, unfiltered.exit(), unfiltered.err());
        Set<String> labels = labels(all.out());
        assertTrue(labels.contains("car"), all.out());
        assertEquals(labels(unfiltered.out()), labels, all.out());
        // job accepts it and goes on to Kafka, which is where this run stops.
        String nobody = "127.0.0.1:" + closedPort();
        CliRun.of("job", "--bootstrap-servers", nobody, "--model", BUNDLE, "--classes", "all")
                .assertUsageError("job", "Kafka at " + nobody + " cannot be reached");
    }

    @Test
    void aMetricsPortInUseIsNamedBeforeTheDemoStarts() throws IOException {
        try (ServerSocket taken = new ServerSocket(0)) {
            CliRun.of("demo", "--model", BUNDLE, "--metrics-port", Integer.toString(taken.getLocalPort()), VIDEO)
                    .assertUsageError("demo", "--metrics-port " + taken.getLocalPort() + " is in use");
        }
        CliRun.of("demo", "--metrics-port", "70000", VIDEO).assertUsageError("demo", "--metrics-port must be a port number");
    }

    @Test
    void aBundleWhoseGraphsDoNotLoadIsAUsageError() throws IOException {
        Path copy = Files.createDirectories(Path.of("target", "cli-errors", "bad-graph").toAbsolutePath());
        try (Stream<Path> files = Files.list(TestData.D2GO_BUNDLE)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, copy.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.write(copy.resolve("head.onnx"), new byte[] {0x08, 0x07, 0x12, 0x00});
        CliRun.of("detect", "--model", copy.toString(), IMAGE)
                .assertUsageError("detect", "cannot open the graphs of bundle " + copy);
    }

    private static Set<String> labels(String jsonLines) throws IOException {
        Set<String> labels = new HashSet<>();
        for (String line : jsonLines.lines().toList()) {
            JsonNode image = new ObjectMapper().readTree(line);
            image.get("detections").forEach(d -> labels.add(d.get("label").asText()));
        }
        return labels;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
