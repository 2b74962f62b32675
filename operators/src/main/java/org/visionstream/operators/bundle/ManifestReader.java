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
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.visionstream.operators.bundle.ModelManifest.BoxScaling;
import org.visionstream.operators.bundle.ModelManifest.ClassInfo;
import org.visionstream.operators.bundle.ModelManifest.ColorOrder;
import org.visionstream.operators.bundle.ModelManifest.Output;
import org.visionstream.operators.bundle.ModelManifest.Preprocess;
import org.visionstream.operators.bundle.ModelManifest.Resize;
import org.visionstream.operators.bundle.ModelManifest.ResizeMethod;
import org.visionstream.operators.bundle.ModelManifest.RoiAlign;
import org.visionstream.operators.bundle.ModelManifest.SizeRounding;
import org.visionstream.operators.postprocess.AnchorOptions;
import org.visionstream.operators.postprocess.AnchorStyle;
import org.visionstream.operators.postprocess.BoxCoder;
import org.visionstream.operators.postprocess.DetectionOptions;
import org.visionstream.operators.postprocess.DetectionOptions.ScoreActivation;
import org.visionstream.operators.postprocess.ProposalOptions;
import org.visionstream.operators.postprocess.ProposalOptions.MinSizeRule;
import org.visionstream.operators.postprocess.ProposalOptions.Selection;

/**
 * Reads {@code model.json}: validates it against {@code model.schema.json} (the same file the Python
 * converters validate with), checks the cross-field rules a schema cannot state, then binds it into
 * typed options: the one place that maps the manifest's names to the runtime's. Every error names the
 * offending field.
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
        checkRules(root, origin);
        try {
            List<ClassInfo> classes = classes(root.get("classes"));
            return new ModelManifest(
                    root.at("/model/name").asText(),
                    root.at("/model/version").asText(),
                    root.at("/model/source/sha256").asText(),
                    preprocess(root.get("preprocess")),
                    anchors(root.get("anchors")),
                    rpn(root.get("rpn")),
                    roiAlign(root.at("/head/roiAlign")),
                    head(root.get("head"), classes.size()),
                    output(root.get("output")),
                    classes);
        } catch (IllegalArgumentException e) {
            // A value the schema allows but this runtime does not know, or an option record's own check.
            throw new BundleException("manifest " + origin + ": " + e.getMessage(), e);
        }
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
                choice(n.get("colorOrder"), "preprocess.colorOrder", ColorOrder.class),
                (float) n.get("pixelScale").asDouble(),
                floats(n.get("mean")),
                floats(n.get("std")),
                new Resize(
                        r.get("shortSide").asInt(),
                        r.get("maxSize").asInt(),
                        choice(r.get("method"), "preprocess.resize.method", ResizeMethod.class),
                        choice(r.get("sizeRounding"), "preprocess.resize.sizeRounding", SizeRounding.class)),
                n.get("sizeDivisibility").asInt(),
                (float) n.get("padValue").asDouble());
    }

    private static AnchorOptions anchors(JsonNode n) {
        return new AnchorOptions(
                choice(n.get("style"), "anchors.style", AnchorStyle.class),
                n.get("stride").asInt(),
                floats(n.get("sizes")),
                floats(n.get("aspectRatios")),
                (float) n.get("offset").asDouble());
    }

    private static ProposalOptions rpn(JsonNode n) {
        return ProposalOptions.builder()
                .boxCoder(boxCoder(n.get("boxCoder"), "rpn.boxCoder.mode"))
                .preNmsTopK(n.get("preNmsTopK").asInt())
                .postNmsTopK(n.get("postNmsTopK").asInt())
                .nmsThreshold((float) n.get("nmsThreshold").asDouble())
                .minSize((float) n.get("minSize").asDouble())
                .minSizeRule(choice(n.get("minSizeRule"), "rpn.minSizeRule", MinSizeRule.class))
                .scoreThreshold(optionalFloat(n.get("scoreThreshold")))
                .selection(choice(n.get("selection"), "rpn.selection", Selection.class))
                .padProposals(n.get("padProposals").asBoolean())
                .build();
    }

    private static RoiAlign roiAlign(JsonNode n) {
        return new RoiAlign(
                n.get("outputSize").get(0).asInt(),
                n.get("outputSize").get(1).asInt(),
                (float) n.get("spatialScale").asDouble(),
                n.get("samplingRatio").asInt(),
                n.get("aligned").asBoolean());
    }

    private static DetectionOptions head(JsonNode n, int numClasses) {
        return DetectionOptions.builder()
                .numClasses(numClasses)
                .scoreActivation(choice(n.get("scoreActivation"), "head.scoreActivation", ScoreActivation.class))
                .backgroundIndex(n.get("backgroundIndex").asInt())
                .classSpecificBoxes(n.get("classSpecificBoxes").asBoolean())
                .deltasHaveBackgroundSlot(n.get("deltasHaveBackgroundSlot").asBoolean())
                .boxCoder(boxCoder(n.get("boxCoder"), "head.boxCoder.mode"))
                .clipBoxes(n.get("clipBoxes").asBoolean())
                .scoreThreshold((float) n.get("scoreThreshold").asDouble())
                .nmsThreshold((float) n.get("nmsThreshold").asDouble())
                .detectionsPerImage(n.get("detectionsPerImage").asInt())
                .minBoxSize((float) n.get("minBoxSize").asDouble())
                .build();
    }

    private static Output output(JsonNode n) {
        return new Output(choice(n.get("boxScaling"), "output.boxScaling", BoxScaling.class),
                n.get("clipToImage").asBoolean());
    }

    private static List<ClassInfo> classes(JsonNode n) {
        List<ClassInfo> out = new ArrayList<>(n.size());
        for (JsonNode c : n) {
            out.add(new ClassInfo(c.get("index").asInt(), c.get("id").asInt(), c.get("name").asText()));
        }
        return out;
    }

    private static BoxCoder boxCoder(JsonNode n, String modeField) {
        return new BoxCoder(floats(n.get("weights")), choice(n.get("mode"), modeField, BoxCoder.Mode.class),
                optionalFloat(n.get("clamp")));
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

    /**
     * A manifest name as the runtime's constant: "bilinear-align-corners" is BILINEAR_ALIGN_CORNERS. The
     * schema lists the names it allows; one it allows that this runtime lacks is refused here, by name.
     */
    static <E extends Enum<E>> E choice(JsonNode n, String field, Class<E> type) {
        String constant = n.asText().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E value : type.getEnumConstants()) {
            if (value.name().equals(constant)) {
                return value;
            }
        }
        throw new IllegalArgumentException(field + " is '" + n.asText() + "', which this runtime does not know "
                + "(it knows " + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT).replace('_', '-') + ")");
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
