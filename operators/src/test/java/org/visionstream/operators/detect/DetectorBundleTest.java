package org.visionstream.operators.detect;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.bundle.BundleException;
import org.visionstream.operators.testing.SharedData;

/** Opening a bundle: a manifest that disagrees with its graphs is refused with the rule it breaks. */
class DetectorBundleTest {

    @Test
    void aManifestWithOtherAnchorsThanTheRpnGraphIsRefused() throws Exception {
        Path copy = copyOfD2GoBundle("fewer-anchors");
        Path manifest = copy.resolve("model.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"aspectRatios\": [\n      0.5,\n      1.0,\n      2.0\n    ]",
                "\"aspectRatios\": [\n      1.0\n    ]"));
        BundleException e = assertThrows(BundleException.class,
                () -> Detector.create(DetectorOptions.builder().bundle(copy).build()));
        assertTrue(e.getMessage().contains("objectness") && e.getMessage().contains("anchors"), e.getMessage());
    }

    @Test
    void aMissingGraphIsNamed() throws Exception {
        Path copy = copyOfD2GoBundle("no-head");
        Files.delete(copy.resolve("head.onnx"));
        BundleException e = assertThrows(BundleException.class,
                () -> Detector.create(DetectorOptions.builder().bundle(copy).build()));
        assertTrue(e.getMessage().contains("head.onnx"), e.getMessage());
    }

    private static Path copyOfD2GoBundle(String name) throws Exception {
        Path dir = Path.of("target", "bundle-copies", name);
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir);
        for (String f : new String[] {"model.json", "backbone.onnx", "rpn.onnx", "head.onnx"}) {
            Files.copy(SharedData.d2goBundle().resolve(f), dir.resolve(f));
        }
        return dir;
    }
}
