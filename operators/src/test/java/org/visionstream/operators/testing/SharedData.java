package org.visionstream.operators.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The read-only shared data beside the checkout and the D2Go bundle the build converts from it. */
public final class SharedData {

    private SharedData() {}

    public static Path root() {
        return existing(Path.of(System.getProperty("visionstream.shared", "../../shared")), "shared data");
    }

    public static Path file(String relative) {
        return existing(root().resolve(relative), "shared file");
    }

    /** The D2Go TorchScript file the bundle is converted from (-Dd2go.weights in the build). */
    public static Path d2goWeights() {
        String configured = System.getProperty("visionstream.d2go.weights");
        return configured != null ? existing(Path.of(configured), "D2Go weights")
                : file("models/d2go-fbnetv3a-c4-coco/d2go.pt");
    }

    /** The bundle model-assets converts in generate-resources; tests fail loudly without it. */
    public static Path d2goBundle() {
        return existing(Path.of(System.getProperty("visionstream.d2go.bundle",
                "../model-assets/target/bundles/d2go-fbnetv3a-c4-coco")), "D2Go bundle (run mvn -pl model-assets generate-resources)");
    }

    /**
     * The gluon-cv bundle GluonCvParityITCase compares with the reference: {@code -Dvisionstream.gluoncv.parity.bundle}
     * when set (the full-size model, by hand), else the reduced random-init bundle model-assets converts
     * ({@code -Dvisionstream.gluoncv.reduced.bundle} in the build).
     */
    public static Path gluonCvParityBundle() {
        String parity = System.getProperty("visionstream.gluoncv.parity.bundle");
        String path = parity != null ? parity : System.getProperty("visionstream.gluoncv.reduced.bundle",
                "../model-assets/target/bundles/gluoncv-resnet50-c4-voc-reduced");
        return existing(Path.of(path), "gluon-cv bundle (run mvn -pl model-assets generate-resources)");
    }

    /** A fresh, writable copy of the D2Go bundle in target/bundle-copies/{@code name}, for tests that break it. */
    public static Path copyOfD2GoBundle(String name) throws IOException {
        Path dir = Path.of("target", "bundle-copies", name);
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir);
        for (String f : new String[] {"model.json", "backbone.onnx", "rpn.onnx", "head.onnx"}) {
            Files.copy(d2goBundle().resolve(f), dir.resolve(f));
        }
        return dir;
    }

    private static Path existing(Path p, String what) {
        assertTrue(Files.exists(p), what + " not found at " + p.toAbsolutePath());
        return p;
    }
}
