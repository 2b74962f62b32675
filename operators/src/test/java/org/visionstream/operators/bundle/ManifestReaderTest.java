package org.visionstream.operators.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visionstream.operators.bundle.ModelManifest.BoxScaling;
import org.visionstream.operators.bundle.ModelManifest.ColorOrder;
import org.visionstream.operators.bundle.ModelManifest.ResizeMethod;
import org.visionstream.operators.bundle.ModelManifest.SizeRounding;

class ManifestReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode gluonCv() throws IOException {
        try (InputStream in = ManifestReaderTest.class.getResourceAsStream("/manifests/gluoncv-voc.json")) {
            return (ObjectNode) JSON.readTree(in);
        }
    }

    @Test
    void readsEveryConventionOfTheGluonCvLayout() throws IOException {
        ModelManifest m = ManifestReader.parse(gluonCv(), "gluoncv-voc.json");
        assertEquals("gluoncv-faster-rcnn-resnet50-v1b-voc", m.name());
        assertEquals(ColorOrder.RGB, m.preprocess().colorOrder());
        assertEquals(ResizeMethod.OPENCV_LINEAR, m.preprocess().resize().method());
        assertEquals(SizeRounding.ROUND_HALF_EVEN, m.preprocess().resize().sizeRounding());
        assertEquals(1000, m.preprocess().resize().maxSize());
        assertArrayEquals(new float[] {32, 64, 128, 256, 512}, m.anchors().sizes());
        assertTrue(Float.isNaN(m.rpn().boxCoder().clamp()), "clamp null means no clamp");
        assertTrue(Float.isNaN(m.rpn().scoreThreshold()));
        assertEquals("filter-then-topk", m.rpn().selection());
        assertTrue(m.rpn().padProposals());
        assertEquals(14, m.head().roiAlign().outputHeight());
        assertFalse(m.head().roiAlign().aligned());
        assertEquals(0, m.head().backgroundIndex());
        assertEquals(0.3f, m.head().nmsThreshold());
        assertEquals(BoxScaling.HEIGHT, m.output().boxScaling());
        assertEquals(20, m.numClasses());
        assertEquals("car", m.classes().get(6).name());
    }

    @Test
    void namesTheMissingField() throws IOException {
        ObjectNode root = gluonCv();
        ((ObjectNode) root.get("rpn")).remove("nmsThreshold");
        BundleException e = assertThrows(BundleException.class, () -> ManifestReader.parse(root, "m.json"));
        assertTrue(e.getMessage().contains("nmsThreshold"), e.getMessage());
    }

    @Test
    void namesTheFieldWithAValueOutOfRange() throws IOException {
        ObjectNode root = gluonCv();
        ((ObjectNode) root.get("head")).put("nmsThreshold", 1.5);
        BundleException e = assertThrows(BundleException.class, () -> ManifestReader.parse(root, "m.json"));
        assertTrue(e.getMessage().contains("head.nmsThreshold"), e.getMessage());
    }

    @Test
    void rejectsAnUnknownResizeMethodAndUnknownFields() throws IOException {
        ObjectNode root = gluonCv();
        ((ObjectNode) root.at("/preprocess/resize")).put("method", "lanczos");
        assertThrows(BundleException.class, () -> ManifestReader.parse(root, "m.json"));
        ObjectNode extra = gluonCv();
        extra.put("anchorz", 1);
        BundleException e = assertThrows(BundleException.class, () -> ManifestReader.parse(extra, "m.json"));
        assertTrue(e.getMessage().contains("anchorz"), e.getMessage());
    }

    @Test
    void rejectsClassIndicesThatAreNotContiguous() throws IOException {
        ObjectNode root = gluonCv();
        ((ObjectNode) ((ArrayNode) root.get("classes")).get(3)).put("index", 7);
        BundleException e = assertThrows(BundleException.class, () -> ManifestReader.parse(root, "m.json"));
        assertTrue(e.getMessage().contains("classes[].index must be the entry's position") && e.getMessage().contains("entry 3 has 7"),
                e.getMessage());
    }

    @Test
    void rejectsABackgroundIndexOutsideTheScores() throws IOException {
        ObjectNode root = gluonCv();
        ((ObjectNode) root.get("head")).put("backgroundIndex", 21);
        BundleException e = assertThrows(BundleException.class, () -> ManifestReader.parse(root, "m.json"));
        assertTrue(e.getMessage().contains("head.backgroundIndex must be in [0, number of classes]") && e.getMessage().contains("21 > 20"),
                e.getMessage());
    }

    @Test
    void checksEveryCrossFieldRuleOfTheSharedRulesFile() throws IOException {
        // The same rules file the Python converters validate with (model-assets/schema/model.rules.json).
        ObjectNode names = gluonCv();
        ((ObjectNode) ((ArrayNode) names.get("classes")).get(3)).put("name", "car");
        assertRejected(names, "classes[].name must be unique");
        ObjectNode topK = gluonCv();
        ((ObjectNode) topK.get("rpn")).put("postNmsTopK", 7000);
        assertRejected(topK, "rpn.postNmsTopK must not exceed rpn.preNmsTopK (7000 > 6000)");
        ObjectNode maxSize = gluonCv();
        ((ObjectNode) maxSize.at("/preprocess/resize")).put("maxSize", 500);
        assertRejected(maxSize, "preprocess.resize.maxSize must be 0 (no limit) or at least preprocess.resize.shortSide (500 < 600)");
        ((ObjectNode) maxSize.at("/preprocess/resize")).put("maxSize", 0);
        ManifestReader.parse(maxSize, "m.json");
    }

    private static void assertRejected(ObjectNode root, String message) {
        BundleException e = assertThrows(BundleException.class, () -> ManifestReader.parse(root, "m.json"));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void reportsMissingFilesAndBrokenJson(@TempDir Path dir) throws IOException {
        BundleException missing = assertThrows(BundleException.class, () -> ModelBundle.load(dir));
        assertTrue(missing.getMessage().contains("backbone.onnx"), missing.getMessage());
        for (String graph : new String[] {ModelBundle.BACKBONE, ModelBundle.RPN, ModelBundle.HEAD}) {
            Files.write(dir.resolve(graph), new byte[] {1});
        }
        BundleException noManifest = assertThrows(BundleException.class, () -> ModelBundle.load(dir));
        assertTrue(noManifest.getMessage().contains("model.json"), noManifest.getMessage());
        Files.writeString(dir.resolve(ModelBundle.MANIFEST), "{\"format\": ");
        BundleException broken = assertThrows(BundleException.class, () -> ModelBundle.load(dir));
        assertTrue(broken.getMessage().contains("not valid JSON"), broken.getMessage());
    }
}
