package org.visionstream.operators.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.visionstream.operators.bundle.ModelManifest.Anchors;
import org.visionstream.operators.bundle.ModelManifest.BoxCoderSpec;
import org.visionstream.operators.bundle.ModelManifest.BoxScaling;
import org.visionstream.operators.bundle.ModelManifest.ClassInfo;
import org.visionstream.operators.bundle.ModelManifest.ColorOrder;
import org.visionstream.operators.bundle.ModelManifest.Head;
import org.visionstream.operators.bundle.ModelManifest.Output;
import org.visionstream.operators.bundle.ModelManifest.Preprocess;
import org.visionstream.operators.bundle.ModelManifest.Resize;
import org.visionstream.operators.bundle.ModelManifest.ResizeMethod;
import org.visionstream.operators.bundle.ModelManifest.RoiAlign;
import org.visionstream.operators.bundle.ModelManifest.Rpn;
import org.visionstream.operators.bundle.ModelManifest.SizeRounding;

/**
 * Reads {@code model.json}: validates it against {@code model.schema.json} (the same file the Python
 * converters validate with), then checks the cross-field rules a schema cannot state. Every error
 * names the offending field.
 */
public final class ManifestReader {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchema SCHEMA = loadSchema();
    private static final JsonNode RULES = loadRules();

    private ManifestReader() {}

    public static ModelManifest read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BundleException("missing manifest " + file);
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new BundleException("manifest " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        return parse(root, file.toString());
    }

    /** Validates and converts an already parsed manifest; {@code origin} names it in errors. */
    public static ModelManifest parse(JsonNode root, String origin) {
        Set<ValidationMessage> errors = SCHEMA.validate(root);
        if (!errors.isEmpty()) {
            String list = errors.stream().map(ValidationMessage::getMessage).sorted().collect(Collectors.joining("; "));
            throw new BundleException("manifest " + origin + " breaks the bundle schema: " + list);
        }
        ModelManifest manifest = new ModelManifest(
                root.at("/model/name").asText(),
                root.at("/model/version").asText(),
                root.at("/model/source/sha256").asText(),
                preprocess(root.get("preprocess")),
                anchors(root.get("anchors")),
                rpn(root.get("rpn")),
                head(root.get("head")),
                output(root.get("output")),
                classes(root.get("classes")));
        checkRules(root, origin);
        return manifest;
    }

    /** The rules of {@code model.rules.json} (shared with the Python converters), on the parsed document. */
    private static void checkRules(JsonNode root, String origin) {
        for (JsonNode rule : RULES.get("rules")) {
            String broken = broken(rule, root);
            if (broken != null) {
                throw new BundleException("manifest " + origin + ": " + rule.get("message").asText() + " (" + broken + ")");
            }
        }
    }

    /** What breaks {@code rule} in {@code m}, or null. */
    private static String broken(JsonNode rule, JsonNode m) {
        for (Iterator<Map.Entry<String, JsonNode>> when = rule.path("when").fields(); when.hasNext(); ) {
            Map.Entry<String, JsonNode> condition = when.next();
            if (!m.at(condition.getKey()).equals(condition.getValue())) {
                return null;
            }
        }
        String check = rule.get("check").asText();
        switch (check) {
            case "indexEqualsPosition", "unique" -> {
                JsonNode array = m.at(rule.get("array").asText());
                String field = rule.get("field").asText();
                List<JsonNode> seen = new ArrayList<>();
                for (int i = 0; i < array.size(); i++) {
                    JsonNode v = array.get(i).get(field);
                    if (check.equals("indexEqualsPosition") && v.asInt() != i) {
                        return "entry " + i + " has " + v.asInt();
                    }
                    if (check.equals("unique") && seen.contains(v)) {
                        return "'" + v.asText() + "' appears more than once";
                    }
                    seen.add(v);
                }
                return null;
            }
            case "atMost", "zeroOrAtLeast" -> {
                double value = m.at(rule.get("value").asText()).asDouble();
                String limitAt = rule.get("limit").asText();
                double limit = limitAt.startsWith("length:") ? m.at(limitAt.substring("length:".length())).size()
                        : m.at(limitAt).asDouble();
                boolean ok = check.equals("atMost") ? value <= limit : value == 0 || value >= limit;
                return ok ? null : number(value) + (check.equals("atMost") ? " > " : " < ") + number(limit);
            }
            default -> throw new IllegalStateException("unknown check '" + check + "' in model.rules.json");
        }
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static Preprocess preprocess(JsonNode n) {
        JsonNode r = n.get("resize");
        return new Preprocess(
                ColorOrder.valueOf(n.get("colorOrder").asText()),
                (float) n.get("pixelScale").asDouble(),
                floats(n.get("mean")),
                floats(n.get("std")),
                new Resize(
                        r.get("shortSide").asInt(),
                        r.get("maxSize").asInt(),
                        ResizeMethod.valueOf(constant(r.get("method"))),
                        SizeRounding.valueOf(constant(r.get("sizeRounding")))),
                n.get("sizeDivisibility").asInt(),
                (float) n.get("padValue").asDouble());
    }

    private static Anchors anchors(JsonNode n) {
        return new Anchors(
                n.get("style").asText(),
                n.get("stride").asInt(),
                floats(n.get("sizes")),
                floats(n.get("aspectRatios")),
                (float) n.get("offset").asDouble());
    }

    private static Rpn rpn(JsonNode n) {
        return new Rpn(
                boxCoder(n.get("boxCoder")),
                n.get("preNmsTopK").asInt(),
                n.get("postNmsTopK").asInt(),
                (float) n.get("nmsThreshold").asDouble(),
                (float) n.get("minSize").asDouble(),
                n.get("minSizeRule").asText(),
                optionalFloat(n.get("scoreThreshold")),
                n.get("selection").asText(),
                n.get("padProposals").asBoolean());
    }

    private static Head head(JsonNode n) {
        JsonNode ra = n.get("roiAlign");
        return new Head(
                new RoiAlign(
                        ra.get("outputSize").get(0).asInt(),
                        ra.get("outputSize").get(1).asInt(),
                        (float) ra.get("spatialScale").asDouble(),
                        ra.get("samplingRatio").asInt(),
                        ra.get("aligned").asBoolean()),
                n.get("scoreActivation").asText(),
                n.get("backgroundIndex").asInt(),
                n.get("classSpecificBoxes").asBoolean(),
                n.get("deltasHaveBackgroundSlot").asBoolean(),
                boxCoder(n.get("boxCoder")),
                n.get("clipBoxes").asBoolean(),
                (float) n.get("scoreThreshold").asDouble(),
                (float) n.get("nmsThreshold").asDouble(),
                n.get("detectionsPerImage").asInt(),
                (float) n.get("minBoxSize").asDouble());
    }

    private static Output output(JsonNode n) {
        return new Output(BoxScaling.valueOf(constant(n.get("boxScaling"))), n.get("clipToImage").asBoolean());
    }

    private static List<ClassInfo> classes(JsonNode n) {
        List<ClassInfo> out = new ArrayList<>(n.size());
        for (JsonNode c : n) {
            out.add(new ClassInfo(c.get("index").asInt(), c.get("id").asInt(), c.get("name").asText()));
        }
        return out;
    }

    private static BoxCoderSpec boxCoder(JsonNode n) {
        return new BoxCoderSpec(floats(n.get("weights")), n.get("mode").asText(), optionalFloat(n.get("clamp")));
    }

    private static float optionalFloat(JsonNode n) {
        return n == null || n.isNull() ? Float.NaN : (float) n.asDouble();
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    /** "bilinear-align-corners" → BILINEAR_ALIGN_CORNERS. */
    private static String constant(JsonNode n) {
        return n.asText().toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private static JsonNode loadRules() {
        try (InputStream in = ManifestReader.class.getResourceAsStream("model.rules.json")) {
            if (in == null) {
                throw new IllegalStateException("model.rules.json is missing from the classpath");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonSchema loadSchema() {
        try (InputStream in = ManifestReader.class.getResourceAsStream("model.schema.json")) {
            if (in == null) {
                throw new IllegalStateException("model.schema.json is missing from the classpath");
            }
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
