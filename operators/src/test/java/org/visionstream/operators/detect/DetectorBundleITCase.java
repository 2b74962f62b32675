package org.visionstream.operators.detect;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.bundle.BundleException;
import org.visionstream.operators.testing.SharedData;

/**
 * Opening a bundle: a manifest that disagrees with its graphs is refused with the rule it breaks; a
 * bundle that opens warms up through all three graphs.
 */
class DetectorBundleITCase {

    @Test
    void theWarmUpRunsEveryGraph() throws Exception {
        for (Path bundle : new Path[] {SharedData.d2goBundle(), SharedData.gluonCvParityBundle()}) {
            try (Detector detector = Detector.create(DetectorOptions.builder().bundle(bundle).build())) {
                StageTimes times = detector.warmUp();
                for (StageTimes.Stage stage : StageTimes.Stage.values()) {
                    assertTrue(times.nanos(stage) > 0, bundle.getFileName() + ": no time in " + stage);
                }
            }
        }
    }

    @Test
    void aManifestWithOtherAnchorsThanTheRpnGraphIsRefused() throws Exception {
        Path copy = SharedData.copyOfD2GoBundle("fewer-anchors");
        Path manifest = copy.resolve("model.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"aspectRatios\": [\n      0.5,\n      1.0,\n      2.0\n    ]",
                "\"aspectRatios\": [\n      1.0\n    ]"));
        BundleException e = assertThrows(BundleException.class,
                () -> Detector.create(DetectorOptions.builder().bundle(copy).build()));
        assertTrue(e.getMessage().contains("objectness") && e.getMessage().contains("anchors"), e.getMessage());
    }

    @Test
    void aMissingGraphIsNamed() throws Exception {
        Path copy = SharedData.copyOfD2GoBundle("no-head");
        Files.delete(copy.resolve("head.onnx"));
        BundleException e = assertThrows(BundleException.class,
                () -> Detector.create(DetectorOptions.builder().bundle(copy).build()));
        assertTrue(e.getMessage().contains("head.onnx"), e.getMessage());
    }
}
