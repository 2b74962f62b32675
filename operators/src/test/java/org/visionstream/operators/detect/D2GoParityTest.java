package org.visionstream.operators.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.preprocess.DecodedImage;
import org.visionstream.operators.preprocess.ImageDecoder;
import org.visionstream.operators.testing.ReferenceDetections;
import org.visionstream.operators.testing.SharedData;
import org.visionstream.operators.testing.VideoFrames;

/**
 * The Java detector (ONNX Runtime graphs, Java pre- and post-processing) against the TorchScript model it
 * was converted from, end to end, on every shared image and on frames of every shared video.
 *
 * <p>The graphs are int8: ONNX Runtime and PyTorch's qnnpack agree per operator to one quantisation step
 * on a fraction of a percent of the values, but through 50 layers and a 30-proposal RPN those steps move
 * boxes by a few pixels and scores by a few hundredths. The model is as sensitive to its own input: with
 * half a grey level of noise the TorchScript model matches its clean detections under the strict
 * criterion (same class, IoU >= 0.9, |score diff| <= 0.05) for only about a quarter of them. So the Java
 * runtime is held to that yardstick: it must agree with the model at least as well as the model agrees
 * with itself under that noise, by the strict criterion and by a practical one (same class, IoU >= 0.5,
 * |score diff| <= 0.2) that also has an absolute floor. D2GoStagesTest checks the Java stages exactly
 * on the framework's own tensors.
 */
class D2GoParityTest {

    private static final int FRAMES_PER_VIDEO = 4;
    private static final Criterion STRICT = new Criterion("strict", 0.3f, 0.9f, 0.05f);
    private static final Criterion PRACTICAL = new Criterion("practical", 0.5f, 0.5f, 0.2f);

    private static Detector detector;
    private static List<Path> images;
    private static Map<String, List<Detection>> reference;
    private static Map<String, List<Detection>> perturbed;
    private static Map<String, List<Detection>> java;

    @BeforeAll
    static void setUp() throws Exception {
        images = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SharedData.file("media/images"))) {
            files.filter(p -> p.toString().matches(".*\\.(jpg|jpeg|png)$")).sorted().forEach(images::add);
        }
        Path frames = Files.createDirectories(Path.of("target", "parity-frames"));
        try (Stream<Path> videos = Files.list(SharedData.file("media/video"))) {
            for (Path video : videos.filter(p -> p.toString().endsWith(".mp4")).sorted().toList()) {
                images.addAll(VideoFrames.extract(video, frames, FRAMES_PER_VIDEO));
            }
        }
        reference = ReferenceDetections.d2go(images);
        perturbed = ReferenceDetections.d2go(images, "--input-noise", "0.5");
        detector = Detector.create(DetectorOptions.builder()
                .bundle(SharedData.d2goBundle())
                .scoreThreshold(0f)
                .build());
        ImageDecoder decoder = new ImageDecoder();
        java = new HashMap<>();
        for (Path image : images) {
            java.put(image.toString(), detector.detect(decoder.decode(Files.readAllBytes(image))).detections());
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (detector != null) {
            detector.close();
        }
    }

    @Test
    void javaAgreesWithTheModelAtLeastAsWellAsTheModelWithItselfUnderHalfAGreyLevelOfNoise() {
        for (Criterion c : List.of(STRICT, PRACTICAL)) {
            double javaAgreement = agreement(c, java);
            double selfAgreement = agreement(c, perturbed);
            System.out.printf("%s criterion: Java %.3f, TorchScript with noise %.3f%n", c.name, javaAgreement, selfAgreement);
            assertTrue(javaAgreement >= selfAgreement, c.name + ": Java agrees with the model on " + javaAgreement
                    + " of confident detections, the model with itself under noise on " + selfAgreement);
        }
        // Measured 0.92 on AMD EPYC; ONNX Runtime's int8 kernels differ by CPU, so the floor leaves room.
        assertTrue(agreement(PRACTICAL, java) >= 0.85, "practical agreement " + agreement(PRACTICAL, java));
    }

    /** Confident detections (both ways) that have a counterpart under {@code c}, as a fraction. */
    private static double agreement(Criterion c, Map<String, List<Detection>> other) {
        int[] counts = new int[2]; // confident, matched
        for (Path image : images) {
            List<Detection> ref = reference.get(image.toString());
            List<Detection> them = other.get(image.toString());
            assertTrue(ref != null && them != null, "no detections for " + image);
            count(c, ref, them, counts);
            count(c, them, ref, counts);
        }
        assertTrue(counts[0] >= images.size(), "too few confident detections to compare: " + counts[0]);
        return (double) counts[1] / counts[0];
    }

    private static void count(Criterion c, List<Detection> from, List<Detection> to, int[] counts) {
        for (Detection d : from) {
            if (d.score() >= c.minScore) {
                counts[0]++;
                counts[1] += to.stream().anyMatch(o -> c.matches(d, o)) ? 1 : 0;
            }
        }
    }

    private record Criterion(String name, float minScore, float minIou, float maxScoreDiff) {
        boolean matches(Detection a, Detection b) {
            return a.classId() == b.classId() && iou(a, b) >= minIou && Math.abs(a.score() - b.score()) <= maxScoreDiff;
        }
    }

    @Test
    void referenceFindsTheCarsInTheStreetPhoto() {
        List<Detection> cars = reference.get(SharedData.file("media/images/voc/000004.jpg").toString()).stream()
                .filter(d -> d.label().equals("car") && d.score() >= 0.5f)
                .toList();
        assertTrue(cars.size() >= 3, "expected several cars, got " + cars);
    }

    @Test
    void aBatchGivesTheSameDetectionsAsSingleImages() throws Exception {
        ImageDecoder decoder = new ImageDecoder();
        List<DecodedImage> frames = new ArrayList<>();
        for (Path image : images) {
            if (image.getFileName().toString().startsWith("car-detection")) {
                frames.add(decoder.decode(Files.readAllBytes(image)));
            }
        }
        assertEquals(FRAMES_PER_VIDEO, frames.size());
        List<FrameDetections> batched = detector.detect(frames);
        for (int i = 0; i < frames.size(); i++) {
            List<Detection> single = detector.detect(frames.get(i)).detections();
            List<Detection> inBatch = batched.get(i).detections();
            assertEquals(single.size(), inBatch.size(), "frame " + i);
            for (int j = 0; j < single.size(); j++) {
                assertEquals(single.get(j).label(), inBatch.get(j).label());
                assertEquals(single.get(j).score(), inBatch.get(j).score(), 1e-4f);
                assertTrue(iou(single.get(j), inBatch.get(j)) > 0.999f);
            }
        }
    }

    static float iou(Detection a, Detection b) {
        float iw = Math.max(0f, Math.min(a.x2(), b.x2()) - Math.max(a.x1(), b.x1()));
        float ih = Math.max(0f, Math.min(a.y2(), b.y2()) - Math.max(a.y1(), b.y1()));
        float inter = iw * ih;
        float union = (a.x2() - a.x1()) * (a.y2() - a.y1()) + (b.x2() - b.x1()) * (b.y2() - b.y1()) - inter;
        return union > 0f ? inter / union : 0f;
    }
}
