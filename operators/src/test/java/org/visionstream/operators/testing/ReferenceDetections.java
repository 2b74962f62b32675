package org.visionstream.operators.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.visionstream.operators.detect.Detection;

/**
 * Runs a model-assets reference script with Debian's Python and reads its output: one JSON object per
 * image and line, {@code {"image", "width", "height", "detections": [{"label", "classId", "score", "box"}]}}.
 */
public final class ReferenceDetections {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ReferenceDetections() {}

    /**
     * reference_d2go.py: the D2Go TorchScript model end to end. Detections per image path (all scores),
     * keyed as the path was given. {@code options} go to the script as they are ({@code --stages DIR},
     * {@code --input-noise N}).
     */
    public static Map<String, List<Detection>> d2go(List<Path> images, String... options)
            throws IOException, InterruptedException {
        return run("reference_d2go.py", List.of("--weights", SharedData.d2goWeights().toString()), images, options);
    }

    /**
     * reference_gluoncv.py: gluon-cv's inference path as the numerics spec states it, on the weights of
     * {@code bundle}; each image's detections in the network's class-major order ({@code --stages DIR},
     * {@code --threshold T}).
     */
    public static Map<String, List<Detection>> gluonCv(Path bundle, List<Path> images, String... options)
            throws IOException, InterruptedException {
        return run("reference_gluoncv.py", List.of("--bundle", bundle.toString()), images, options);
    }

    private static Map<String, List<Detection>> run(String script, List<String> fixed, List<Path> images,
            String... options) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>();
        args.add(Path.of("..", "model-assets", script).toString());
        args.addAll(fixed);
        args.addAll(List.of(options));
        images.forEach(p -> args.add(p.toString()));
        String stdout = Python.run(args);
        Map<String, List<Detection>> out = new HashMap<>();
        for (String line : stdout.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode frame = JSON.readTree(line);
            List<Detection> list = new ArrayList<>();
            for (JsonNode d : frame.get("detections")) {
                JsonNode box = d.get("box");
                list.add(new Detection(d.get("label").asText(), d.get("classId").asInt(), (float) d.get("score").asDouble(),
                        (float) box.get(0).asDouble(), (float) box.get(1).asDouble(),
                        (float) box.get(2).asDouble(), (float) box.get(3).asDouble()));
            }
            out.put(frame.get("image").asText(), list);
        }
        return out;
    }
}
