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
 * with itself under that noise, pooled over all images and, within a measured margin, on each image, by
 * the strict criterion and by a practical one (same class, IoU >= 0.5, |score diff| <= 0.2), and above
 * an absolute floor for each. Detections are paired one to one ({@link Agreement}), so extra copies of a
 * box only lower agreement. D2GoStagesITCase checks the Java stages exactly on the framework's own tensors.
 *
 * <p>The bars come from ten draws of the noise (reference_d2go.py --seed 0 to 9) on an AVX2-only AMD
 * EPYC; Java's detections were identical on four runs (ONNX Runtime's default intra-op threads twice, 1
 * and 2), so the draw of the noise is the only thing that moves these numbers on one machine:
 * <pre>
 *              Java            the model with itself, 10 draws     seed 0 (the test's draw)
 *   strict     92/297 = 0.310  0.224 to 0.302, mean 0.252          0.270
 *   practical 141/155 = 0.910  0.771 to 0.887, mean 0.824          0.831
 * </pre>
 */
class D2GoParityITCase {

    private static final int FRAMES_PER_VIDEO = 4;
    /**
     * Pooled floors: the model's mean agreement with itself over the ten draws, rounded down. The test's
     * own draw is one sample (seed 0, above the mean for both criteria; another torch may draw other
     * noise for the same seed), so the floor keeps Java at least at the model's expected self-agreement
     * whichever draw the yardstick makes. Per-image margins: the most the model's own agreement on one
     * image fell below its seed-0 value under the nine other draws, rounded up: strict 0.326
     * (street-bicycle-truck-dog.png, 7/16 -> 2/18), practical 0.571 (one-by-one-person-detection-2,
     * 6/6 -> 3/7). With a handful of confident detections on an image, one more or less moves its
     * agreement by a sixth or more, so only a larger shortfall tells Java on one image from another draw
     * of the noise (Java's largest: 0.213 strict, 0.333 practical). The pooled comparison is the fine
     * one; the per-image one catches a failure on one image that the pool would dilute.
     */
    private static final Bar STRICT = new Bar(new Agreement.Criterion("strict", 0.3f, 0.9f, 0.05f), 0.25, 0.33);
    private static final Bar PRACTICAL = new Bar(new Agreement.Criterion("practical", 0.5f, 0.5f, 0.2f), 0.82, 0.58);

    private record Bar(Agreement.Criterion criterion, double pooledFloor, double perImageMargin) {}

    /** reference_d2go.py --input-noise: half a grey level, the rounding of an 8-bit image. */
    private static final String NOISE_GREY_LEVELS = "0.5";

    private static Detector detector;
    private static List<Path> images;
    private static Map<String, List<Detection>> reference;
    private static Map<String, List<Detection>> perturbed;
    private static Map<String, List<Detection>> java;

    @BeforeAll
    static void setUp() throws Exception {
        images = images();
        reference = ReferenceDetections.d2go(images);
        perturbed = ReferenceDetections.d2go(images, "--input-noise", NOISE_GREY_LEVELS);
        detector = Detector.create(DetectorOptions.builder()
                .bundle(SharedData.d2goBundle())
                .scoreThreshold(0f)
                .build());
        java = detect(detector, images);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (detector != null) {
            detector.close();
        }
    }

    /** The shared images, then {@link #FRAMES_PER_VIDEO} frames of every shared video. */
    private static List<Path> images() throws Exception {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SharedData.file("media/images"))) {
            files.filter(p -> p.toString().matches(".*\\.(jpg|jpeg|png)$")).sorted().forEach(out::add);
        }
        Path frames = Files.createDirectories(Path.of("target", "parity-frames"));
        try (Stream<Path> videos = Files.list(SharedData.file("media/video"))) {
            for (Path video : videos.filter(p -> p.toString().endsWith(".mp4")).sorted().toList()) {
                out.addAll(VideoFrames.extract(video, frames, FRAMES_PER_VIDEO));
            }
        }
        return out;
    }

    /** {@code detector}'s detections, all scores, keyed by path as {@link ReferenceDetections} keys them. */
    private static Map<String, List<Detection>> detect(Detector detector, List<Path> images) throws Exception {
        ImageDecoder decoder = new ImageDecoder();
        Map<String, List<Detection>> out = new HashMap<>();
        for (Path image : images) {
            out.put(image.toString(), detector.detect(decoder.decode(Files.readAllBytes(image))).detections());
        }
        return out;
    }

    @Test
    void javaAgreesWithTheModelAtLeastAsWellAsTheModelWithItselfUnderHalfAGreyLevelOfNoise() {
        for (Bar bar : List.of(STRICT, PRACTICAL)) {
            Agreement.Criterion c = bar.criterion();
            Agreement javaPooled = Agreement.NONE;
            Agreement selfPooled = Agreement.NONE;
            List<String> shortfalls = new ArrayList<>();
            for (Path image : images) {
                Agreement j = agreement(c, java, image);
                Agreement s = agreement(c, perturbed, image);
                System.out.printf("%s %s: Java %d/%d, TorchScript with noise %d/%d%n",
                        c.name(), image.getFileName(), j.matched(), j.confident(), s.matched(), s.confident());
                if (j.fraction() < s.fraction() - bar.perImageMargin()) {
                    shortfalls.add(image.getFileName() + ": Java " + j + ", the model with itself " + s);
                }
                javaPooled = javaPooled.plus(j);
                selfPooled = selfPooled.plus(s);
            }
            System.out.printf("%s criterion: Java %.3f, TorchScript with noise %.3f%n",
                    c.name(), javaPooled.fraction(), selfPooled.fraction());
            assertTrue(javaPooled.confident() >= images.size(), "too few confident detections to compare: " + javaPooled);
            assertEquals(List.of(), shortfalls, c.name() + ": images where Java agrees with the model by more than "
                    + bar.perImageMargin() + " less than the model with itself under noise");
            assertTrue(javaPooled.fraction() >= selfPooled.fraction(), c.name() + ": Java agrees with the model on "
                    + javaPooled + " of confident detections, the model with itself under noise on " + selfPooled);
            assertTrue(javaPooled.fraction() >= bar.pooledFloor(), c.name() + ": Java agrees with the model on "
                    + javaPooled + ", below the floor " + bar.pooledFloor());
        }
    }

    @Test
    void aCopyOfEveryJavaDetectionLowersAgreement() {
        Map<String, List<Detection>> twice = new HashMap<>();
        java.forEach((image, detections) -> {
            List<Detection> doubled = new ArrayList<>(detections);
            doubled.addAll(detections);
            twice.put(image, doubled);
        });
        for (Bar bar : List.of(STRICT, PRACTICAL)) {
            Agreement once = Agreement.NONE;
            Agreement doubled = Agreement.NONE;
            for (Path image : images) {
                once = once.plus(agreement(bar.criterion(), java, image));
                doubled = doubled.plus(agreement(bar.criterion(), twice, image));
            }
            assertTrue(doubled.fraction() < once.fraction(), bar.criterion().name() + ": " + doubled + " vs " + once);
        }
    }

    /** {@code c}'s agreement of {@code other} with the clean model on {@code image}. */
    private static Agreement agreement(Agreement.Criterion c, Map<String, List<Detection>> other, Path image) {
        List<Detection> ref = reference.get(image.toString());
        List<Detection> them = other.get(image.toString());
        assertTrue(ref != null && them != null, "no detections for " + image);
        return c.of(ref, them);
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
                assertTrue(Agreement.iou(single.get(j), inBatch.get(j)) > 0.999f);
            }
        }
    }
}
