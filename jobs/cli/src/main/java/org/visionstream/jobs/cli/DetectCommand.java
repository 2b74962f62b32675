package org.visionstream.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.visionstream.operators.detect.Detector;
import org.visionstream.operators.detect.FrameDetections;
import org.visionstream.operators.events.DetectionEventJson;
import org.visionstream.operators.preprocess.DecodedImage;
import org.visionstream.operators.preprocess.ImageDecodeException;
import org.visionstream.operators.preprocess.ImageDecoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code visionstream detect --model DIR [--threshold T] [--classes a,b] IMAGE...}: one JSON line per image. */
@Command(
        name = "detect",
        mixinStandardHelpOptions = true,
        description = "Detect objects in images and print one JSON object per image (boxes in original pixels).")
public final class DetectCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(DetectionEventJson.module());

    @Mixin
    DetectorMixin detector;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "JPEG or PNG files.")
    List<Path> images = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        DetectorMixin.requireFiles(images);
        ImageDecoder decoder = new ImageDecoder();
        int failures = 0;
        try (Detector d = detector.open()) {
            for (Path image : images) {
                DecodedImage decoded;
                try {
                    decoded = decoder.decode(Files.readAllBytes(image));
                } catch (IOException | ImageDecodeException e) {
                    System.err.println(image + ": " + e.getMessage());
                    failures++;
                    continue;
                }
                System.out.println(JSON.writeValueAsString(toJson(image, d.detect(decoded))));
            }
        }
        return failures == 0 ? 0 : 1;
    }

    static ObjectNode toJson(Path image, FrameDetections frame) {
        ObjectNode out = JSON.createObjectNode();
        out.put("image", image.toString());
        out.put("width", frame.width());
        out.put("height", frame.height());
        out.putPOJO("detections", frame.detections());
        return out;
    }
}
