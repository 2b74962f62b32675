package org.visionstream.operators.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visionstream.operators.bundle.ModelManifest.BoxScaling;
import org.visionstream.operators.bundle.ModelManifest.ColorOrder;
import org.visionstream.operators.bundle.ModelManifest.ResizeMethod;
import org.visionstream.operators.bundle.ModelManifest.SizeRounding;
import org.visionstream.operators.postprocess.AnchorStyle;
import org.visionstream.operators.postprocess.BoxCoder;
import org.visionstream.operators.postprocess.DetectionOptions.ScoreActivation;
import org.visionstream.operators.postprocess.ProposalOptions.MinSizeRule;
import org.visionstream.operators.postprocess.ProposalOptions.Selection;

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
        assertEquals(AnchorStyle.GLUONCV, m.anchors().style());
        assertTrue(Float.isNaN(m.rpn().scoreThreshold()));
        assertEquals(Selection.FILTER_THEN_TOPK, m.rpn().selection());
        assertEquals(MinSizeRule.PLUS_ONE_GREATER_OR_EQUAL, m.rpn().minSizeRule());
        assertTrue(m.rpn().padProposals());
        assertEquals(14, m.roiAlign().outputHeight());
        assertFalse(m.roiAlign().aligned());
        assertEquals(ScoreActivation.SOFTMAX, m.head().scoreActivation());
        assertEquals(20, m.head().numClasses());
        assertEquals(0, m.head().backgroundIndex());
        assertEquals(0.3f, m.head().nmsThreshold());
        // Stds multiplied, and clamp null means no clamp: dw = 50 * 0.2 widens a 10 px box e^10 times.
        float[] box = new float[4];
        m.head().boxCoder().decode(new float[] {0, 0, 10, 10}, 0, new float[] {0, 0, 50, 0}, 0, 1, box, 0);
        assertEquals(10 * Math.exp(10), box[2] - box[0], 1);
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

    @Test
    void bindsEveryNameTheSchemaAllowsToTheRuntimesConstant() throws IOException {
        Map<String, Class<? extends Enum<?>>> typed = Map.of(
                "/properties/preprocess/properties/colorOrder", ColorOrder.class,
                "/properties/preprocess/properties/resize/properties/method", ResizeMethod.class,
                "/properties/preprocess/properties/resize/properties/sizeRounding", SizeRounding.class,
                "/properties/anchors/properties/style", AnchorStyle.class,
                "/properties/rpn/properties/selection", Selection.class,
                "/properties/rpn/properties/minSizeRule", MinSizeRule.class,
                "/properties/head/properties/scoreActivation", ScoreActivation.class,
                "/properties/output/properties/boxScaling", BoxScaling.class,
                "/$defs/boxCoder/properties/mode", BoxCoder.Mode.class);
        JsonNode schema;
        try (InputStream in = ManifestReader.class.getResourceAsStream("model.schema.json")) {
            schema = JSON.readTree(in);
        }
        Map<String, JsonNode> enums = new TreeMap<>();
        collectEnums(schema, "", enums);
        assertEquals(new TreeSet<>(typed.keySet()), enums.keySet(), "every enum of the schema has a runtime type");
        for (Map.Entry<String, JsonNode> e : enums.entrySet()) {
            Set<Object> bound = new HashSet<>();
            for (JsonNode name : e.getValue()) {
                bound.add(choice(name, e.getKey(), typed.get(e.getKey())));
            }
            int constants = typed.get(e.getKey()).getEnumConstants().length;
            assertEquals(constants, bound.size(), e.getKey() + " binds one to one");
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object choice(JsonNode name, String field, Class<? extends Enum<?>> type) {
        return ManifestReader.choice(name, field, (Class) type);
    }

    private static void collectEnums(JsonNode node, String path, Map<String, JsonNode> out) {
        if (node.has("enum")) {
            out.put(path, node.get("enum"));
        }
        node.fields().forEachRemaining(f -> {
            if (f.getValue().isObject()) {
                collectEnums(f.getValue(), path + "/" + f.getKey(), out);
            }
        });
    }

    @Test
    void aNameTheRuntimeDoesNotKnowIsRefusedByField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ManifestReader.choice(TextNode.valueOf("top-k-first"), "rpn.selection", Selection.class));
        assertEquals("rpn.selection is 'top-k-first', which this runtime does not know (it knows "
                + "[topk-then-filter, filter-then-topk])", e.getMessage());
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
