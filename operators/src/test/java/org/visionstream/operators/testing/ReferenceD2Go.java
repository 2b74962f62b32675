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

/** Runs model-assets/reference_d2go.py, the TorchScript model end to end, with Debian's Python. */
public final class ReferenceD2Go {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ReferenceD2Go() {}

    /**
     * Detections per image path (all scores), keyed as the path was given. {@code options} go to the
     * script as they are ({@code --stages DIR}, {@code --input-noise N}).
     */
    public static Map<String, List<Detection>> detect(List<Path> images, String... options)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(Path.of("..", "model-assets", "reference_d2go.py").toString(),
                "--weights", SharedData.d2goWeights().toString()));
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
