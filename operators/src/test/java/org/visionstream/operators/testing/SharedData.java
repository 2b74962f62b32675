package org.visionstream.operators.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

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

    private static Path existing(Path p, String what) {
        assertTrue(Files.exists(p), what + " not found at " + p.toAbsolutePath());
        return p;
    }
}
