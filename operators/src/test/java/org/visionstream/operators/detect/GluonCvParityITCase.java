package org.visionstream.operators.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.visionstream.operators.bundle.ModelBundle;
import org.visionstream.operators.bundle.ModelManifest;
import org.visionstream.operators.postprocess.DetectionDecoder;
import org.visionstream.operators.postprocess.AnchorGenerator;
import org.visionstream.operators.postprocess.DecodedBoxes;
import org.visionstream.operators.postprocess.ProposalSelector;
import org.visionstream.operators.preprocess.ImageDecoder;
import org.visionstream.operators.preprocess.PreprocessedImage;
import org.visionstream.operators.testing.ReferenceDetections;
import org.visionstream.operators.testing.SharedData;
import org.visionstream.operators.testing.StageDump;
import org.visionstream.operators.testing.VideoFrames;

/**
 * The Java detector on a float gluon-cv bundle against model-assets/reference_gluoncv.py, an independent
 * reference of gluon-cv 0.7.0's inference path written from the numerics spec (PyTorch network on the
 * bundle's own weights, numpy float32 for everything between and after the graphs).
 *
 * <p>Stage by stage on the reference's own tensors (its --stages dump), which isolates the Java numerics
 * from the float32 rounding inside the network: the network input, the 300 proposals and the per-class NMS
 * output, each to float rounding and in the same order except among exactly tied scores.
 *
 * <p>Then end to end against the exact network (float64, outputs rounded to float32 once): the same
 * detections one to one, in the same order except among scores closer than the score bound allows to tell
 * apart, with boxes within 1e-2 px and scores within 1e-4. That holds only for a network with a trained model's magnitudes: the converter's
 * random init is calibrated on a real image (model-assets/README.md section 7), so head logits stay within a
 * few units and float32 rounding inside the graphs moves scores by about 1e-5 and boxes by about 1e-3 px.
 *
 * <p>The reference lists detections class by class as the network's 6000 output rows are laid out
 * (spec A.11); the Java detector sorts all classes by score. Per-class NMS does not depend on that
 * interleaving, so the Java list, stably grouped by class, must be the reference's list.
 *
 * <p>The bundle is {@code -Dvisionstream.gluoncv.parity.bundle} when set (the full-size model in the
 * {@code bench-gluoncv} profile: README), else the reduced random-init bundle the build converts.
 */
class GluonCvParityITCase {

    private static final Path STAGES = Path.of("target", "gluoncv-stages");
    private static final int FRAMES_PER_VIDEO = 1;
    /**
     * The parity bound end to end (issue 8): boxes in original-image pixels, scores. Measured on the reduced
     * seed-7 bundle over the shared images and a frame of each video: 1.2e-4 to 1.4e-3 px and 2.2e-6 to 7.3e-6
     * (model-assets/README.md section 7), with no order difference.
     */
    private static final float BOX_TOLERANCE = 1e-2f;
    private static final float SCORE_TOLERANCE = 1e-4f;
    /**
     * End to end, the order within a class is checked except among detections whose exact scores are within
     * twice the score bound: the bound lets each of two such scores move by up to its tolerance, so either
     * order is within it. Against the float64 network exact ties do not occur, while float32 graphs move
     * scores by 1e-7 to 1e-5: on the full-size bundle two detections of car-detection-0.png, 1.8e-7 apart
     * (0.01251914 and 0.01251896), came out swapped. Boxes and scores still hold their bounds one to one.
     */
    private static final float ORDER_WINDOW = 2 * SCORE_TOLERANCE;
    /**
     * The Java stages against the reference on the same tensors: both compute in float32 and differ only
     * where one rounds an exp or a sum differently (a few ulps; an ulp is 6e-5 px at 1000 px).
     */
    private static final float STAGE_BOX_TOLERANCE = 1e-3f;
    private static final float STAGE_SCORE_TOLERANCE = 1e-6f;

    private static Path bundle;
    private static ModelManifest manifest;
    private static List<Path> images;
    private static Map<String, List<Detection>> reference;
    private static Map<String, List<Detection>> java;
    private static Detector detector;

    @BeforeAll
    static void setUp() throws Exception {
        bundle = SharedData.gluonCvParityBundle();
        manifest = ModelBundle.load(bundle).manifest();
        reference = ReferenceDetections.gluonCv(bundle, images(), "--stages", STAGES.toString());
        detector = Detector.create(DetectorOptions.builder().bundle(bundle).scoreThreshold(0f).build());
        ImageDecoder decoder = new ImageDecoder();
        java = new HashMap<>();
        for (Path image : images()) {
            java.put(image.toString(), detector.detect(decoder.decode(Files.readAllBytes(image))).detections());
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (detector != null) {
            detector.close();
        }
    }

    /** The shared images and a frame of each shared video (listed once, the frames extracted once). */
    static synchronized List<Path> images() throws Exception {
        if (images != null) {
            return images;
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SharedData.file("media/images"))) {
            files.filter(p -> p.toString().matches(".*\\.(jpg|png)$")).sorted().forEach(out::add);
        }
        Path frames = Files.createDirectories(Path.of("target", "gluoncv-parity-frames"));
        try (Stream<Path> videos = Files.list(SharedData.file("media/video"))) {
            for (Path video : videos.filter(p -> p.toString().endsWith(".mp4")).sorted().toList()) {
                out.addAll(VideoFrames.extract(video, frames, FRAMES_PER_VIDEO));
            }
        }
        images = out;
        return out;
    }

    @ParameterizedTest
    @MethodSource("images")
    void preprocessingGivesTheReferenceNetworkInput(Path image) throws Exception {
        StageDump s = StageDump.of(STAGES, image);
        PreprocessedImage in = s.javaInput(manifest.preprocess(), image);
        float[] expected = s.tensor("input");
        // The resized pixels must be OpenCV's exactly: one grey level is 1/255/0.229 = 0.017 here. What is
        // left is float rounding: Java multiplies by pixelScale where MXNet divides by 255 (1 ulp on about
        // half the grey levels), a few 1e-7 after the division by std.
        double diff = maxAbsDiff(expected, 0, in.chw(), 0, expected.length);
        assertTrue(diff <= 1e-6, image + ": max diff " + diff);
    }

    @ParameterizedTest
    @MethodSource("images")
    void proposalSelectionGivesTheReferenceProposals(Path image) throws Exception {
        StageDump s = StageDump.of(STAGES, image);
        int[] shape = s.shape("objectness");
        float[] out = new float[manifest.rpn().postNmsTopK() * 4];
        int count = new ProposalSelector(manifest.rpn()).select(
                s.tensor("objectness"), 0, s.tensor("rpn_deltas"), 0, shape[1], shape[2],
                new AnchorGenerator(manifest.anchors()).anchors(shape[1], shape[2]),
                s.inputHeight(), s.inputWidth(), out);
        float[] expected = s.tensor("proposals");
        assertEquals(expected.length / 4, count, "proposals, padding included");
        for (int i = 0; i < count; i++) {
            double diff = maxAbsDiff(expected, 4 * i, out, 4 * i, 4);
            assertTrue(diff <= STAGE_BOX_TOLERANCE, image + ": proposal " + i + " differs by " + diff);
        }
    }

    @ParameterizedTest
    @MethodSource("images")
    void detectionDecodingGivesTheReferenceRows(Path image) throws Exception {
        StageDump s = StageDump.of(STAGES, image);
        float[] proposals = s.tensor("proposals");
        DecodedBoxes d = new DetectionDecoder(manifest.head())
                .decode(s.tensor("head_scores"), 0, s.tensor("head_deltas"), 0, proposals, proposals.length / 4,
                        s.inputHeight(), s.inputWidth());
        List<Detection> javaRows = new ArrayList<>();
        for (int j = 0; j < d.count(); j++) {
            float[] b = d.boxes();
            int cls = d.classIndices()[j];
            javaRows.add(new Detection(manifest.classes().get(cls).name(), manifest.classes().get(cls).id(),
                    d.scores()[j], b[4 * j], b[4 * j + 1], b[4 * j + 2], b[4 * j + 3]));
        }
        float[] rows = s.tensor("rows");
        List<Detection> expected = new ArrayList<>();
        for (int r = 0; r < rows.length / 6; r++) {
            if (rows[6 * r] >= 0) {
                int cls = (int) rows[6 * r];
                expected.add(new Detection(manifest.classes().get(cls).name(), manifest.classes().get(cls).id(),
                        rows[6 * r + 1], rows[6 * r + 2], rows[6 * r + 3], rows[6 * r + 4], rows[6 * r + 5]));
            }
        }
        for (Detection[] p : pairs(image + " (stages)", expected, javaRows, 0f)) {
            assertTrue(boxDistance(p[0], p[1]) <= STAGE_BOX_TOLERANCE
                    && Math.abs(p[0].score() - p[1].score()) <= STAGE_SCORE_TOLERANCE, image + ": " + p[0] + " vs " + p[1]);
        }
    }

    @ParameterizedTest
    @MethodSource("images")
    void detectorReproducesTheReference(Path image) {
        List<Detection> exact = reference.get(image.toString());
        assertTrue(exact != null && !exact.isEmpty(), "the reference detects nothing on " + image);
        float box = 0;
        float score = 0;
        for (Detection[] p : pairs(image.toString(), exact, java.get(image.toString()), ORDER_WINDOW)) {
            box = Math.max(box, boxDistance(p[0], p[1]));
            score = Math.max(score, Math.abs(p[0].score() - p[1].score()));
        }
        System.out.printf("%s: %d detections; Java strays %.3g px, %.3g in score%n",
                image.getFileName(), exact.size(), box, score);
        assertTrue(box <= BOX_TOLERANCE && score <= SCORE_TOLERANCE,
                image + ": Java strays " + box + " px and " + score + " in score");
    }

    @Test
    void theDetectorListsDetectionsByDescendingScore() {
        for (List<Detection> out : java.values()) {
            for (int i = 1; i < out.size(); i++) {
                assertTrue(out.get(i - 1).score() >= out.get(i).score(), "detection " + i);
            }
        }
    }

    /**
     * {@code actual} (any class interleaving, each class by descending score) against {@code expected}
     * (class-major): the same detections one to one and in the same order within each class, except that
     * same-class entries whose expected scores are within {@code window} of the first of them may come in
     * any order among themselves (0: only exact ties). Returns the pairs, expected first.
     */
    private static List<Detection[]> pairs(String what, List<Detection> expected, List<Detection> actual, float window) {
        assertEquals(expected.size(), actual.size(), what + ": number of detections");
        List<Detection> grouped = new ArrayList<>(actual);
        grouped.sort(Comparator.comparingInt(Detection::classId)); // stable: keeps each class's order
        List<Detection[]> out = new ArrayList<>();
        int i = 0;
        while (i < expected.size()) {
            int end = i + 1;
            while (end < expected.size() && expected.get(end).classId() == expected.get(i).classId()
                    && expected.get(i).score() - expected.get(end).score() <= window) {
                end++;
            }
            List<Detection> candidates = new ArrayList<>(grouped.subList(i, end));
            for (int k = i; k < end; k++) {
                Detection e = expected.get(k);
                Detection match = candidates.stream().filter(a -> a.classId() == e.classId() && a.label().equals(e.label()))
                        .min(Comparator.comparingDouble(a -> boxDistance(e, a))).orElse(null);
                assertTrue(match != null, what + ": detection " + k + " " + e + " has no counterpart of its class at that "
                        + "rank; there are " + candidates);
                candidates.remove(match);
                out.add(new Detection[] {e, match});
            }
            i = end;
        }
        return out;
    }

    private static float boxDistance(Detection e, Detection a) {
        return Math.max(Math.max(Math.abs(e.x1() - a.x1()), Math.abs(e.y1() - a.y1())),
                Math.max(Math.abs(e.x2() - a.x2()), Math.abs(e.y2() - a.y2())));
    }

    private static double maxAbsDiff(float[] a, int aOffset, float[] b, int bOffset, int n) {
        double max = 0;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, Math.abs(a[aOffset + i] - b[bOffset + i]));
        }
        return max;
    }
}
