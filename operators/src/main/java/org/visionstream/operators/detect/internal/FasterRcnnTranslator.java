package org.visionstream.operators.detect.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.visionstream.operators.bundle.BundleException;
import org.visionstream.operators.bundle.ModelManifest;
import org.visionstream.operators.bundle.ModelManifest.ClassInfo;
import org.visionstream.operators.detect.Detection;
import org.visionstream.operators.detect.DetectorOptions;
import org.visionstream.operators.detect.FrameDetections;
import org.visionstream.operators.detect.internal.FasterRcnnGraphs.HeadOutputs;
import org.visionstream.operators.detect.internal.FasterRcnnGraphs.RpnOutputs;
import org.visionstream.operators.postprocess.AnchorGenerator;
import org.visionstream.operators.postprocess.DecodedBoxes;
import org.visionstream.operators.postprocess.DetectionDecoder;
import org.visionstream.operators.postprocess.ProposalSelector;
import org.visionstream.operators.preprocess.DecodedImage;
import org.visionstream.operators.preprocess.ImageRejectedException;
import org.visionstream.operators.preprocess.InputSize;
import org.visionstream.operators.preprocess.Preprocessor;
import org.visionstream.operators.preprocess.ResizePlan;

/**
 * Faster R-CNN's processing around {@link FasterRcnnGraphs}, as a bundle's manifest states it: network
 * inputs from decoded images, proposals from the RPN outputs (anchors, decoding, NMS), detections from
 * the head outputs (scores, per-class decoding, NMS), then the caller's classes and threshold and the
 * boxes in original-image pixels.
 *
 * <p>Not thread-safe: the network input and the post-processing scratch buffers are reused.
 */
public final class FasterRcnnTranslator {

    private final ModelManifest manifest;
    private final float scoreThreshold;
    private final boolean[] reported;
    private final Preprocessor preprocessor;
    private final AnchorGenerator anchors;
    private final ProposalSelector proposalSelector;
    private final DetectionDecoder decoder;
    private final float[] proposalScratch;
    /**
     * The batch's network inputs, written once and never copied: a direct buffer in native order, which
     * ONNX Runtime reads in place. Grown to the largest batch seen, then reused.
     */
    private FloatBuffer input;

    /** @throws BundleException when {@code options} names a class the bundle does not have */
    public FasterRcnnTranslator(ModelManifest manifest, DetectorOptions options) {
        this.manifest = manifest;
        this.scoreThreshold = options.scoreThreshold();
        this.reported = reportedClasses(manifest, options);
        this.preprocessor = new Preprocessor(manifest.preprocess());
        this.anchors = new AnchorGenerator(manifest.anchors());
        this.proposalSelector = new ProposalSelector(manifest.rpn());
        this.decoder = new DetectionDecoder(manifest.head());
        this.proposalScratch = new float[manifest.rpn().postNmsTopK() * 4];
    }

    /**
     * The network-input size of each image, all checked before anything runs.
     *
     * @throws ImageRejectedException when an image cannot be a network input of this bundle
     */
    public List<InputSize> sizes(List<DecodedImage> images) throws ImageRejectedException {
        List<InputSize> sizes = new ArrayList<>(images.size());
        for (DecodedImage image : images) {
            sizes.add(preprocessor.size(image));
        }
        return sizes;
    }

    /**
     * The network inputs of images of one padded size, one after another in a direct buffer owned by
     * this translator: valid until the next call.
     */
    public FloatBuffer input(List<DecodedImage> images, List<InputSize> sizes) {
        int floats = sizes.get(0).floats();
        int total = Math.multiplyExact(floats, images.size());
        if (input == null || input.capacity() < total) {
            input = ByteBuffer.allocateDirect(Math.multiplyExact(total, Float.BYTES)).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
        }
        for (int i = 0; i < images.size(); i++) {
            preprocessor.write(images.get(i), sizes.get(i), input, i * floats);
        }
        return input.duplicate().limit(total);
    }

    /**
     * The proposals of each image of a batch.
     *
     * @param featureHeight the feature map's height, {@code featureWidth} its width
     */
    public Rois proposals(RpnOutputs rpn, int featureHeight, int featureWidth, List<InputSize> sizes) {
        int n = sizes.size();
        int perImage = anchors.anchorsPerLocation() * featureHeight * featureWidth;
        float[] cellAnchors = anchors.anchors(featureHeight, featureWidth);
        float[] rows = new float[n * manifest.rpn().postNmsTopK() * 5];
        int[] counts = new int[n];
        int total = 0;
        for (int i = 0; i < n; i++) {
            ResizePlan plan = sizes.get(i).plan();
            int count = proposalSelector.select(rpn.objectness(), i * perImage, rpn.deltas(), i * 4 * perImage,
                    featureHeight, featureWidth, cellAnchors, plan.height(), plan.width(), proposalScratch);
            for (int r = 0; r < count; r++) {
                int dst = (total + r) * 5;
                rows[dst] = i;
                System.arraycopy(proposalScratch, r * 4, rows, dst + 1, 4);
            }
            counts[i] = count;
            total += count;
        }
        return new Rois(rows, counts, total);
    }

    /**
     * The proposals of a batch as the box head takes them.
     *
     * @param rows {@code total} rows of {@code [batch index, x1, y1, x2, y2]}, image by image
     * @param counts the rows of each image
     */
    public record Rois(float[] rows, int[] counts, int total) {}

    /** The detections of each image; {@code head} is null when there were no proposals at all. */
    public List<FrameDetections> detections(HeadOutputs head, Rois rois, List<InputSize> sizes) {
        List<FrameDetections> out = new ArrayList<>(sizes.size());
        if (rois.total() == 0) {
            for (InputSize size : sizes) {
                out.add(new FrameDetections(size.plan().originalWidth(), size.plan().originalHeight(), List.of()));
            }
            return out;
        }
        int k = head.scores().length / rois.total();
        int d = head.deltas().length / rois.total();
        float[] proposals = new float[manifest.rpn().postNmsTopK() * 4];
        int start = 0;
        for (int i = 0; i < sizes.size(); i++) {
            int count = rois.counts()[i];
            for (int r = 0; r < count; r++) {
                System.arraycopy(rois.rows(), (start + r) * 5 + 1, proposals, r * 4, 4);
            }
            ResizePlan plan = sizes.get(i).plan();
            DecodedBoxes raw = decoder.decode(head.scores(), start * k, head.deltas(), start * d, proposals, count,
                    plan.height(), plan.width());
            out.add(toFrame(raw, plan));
            start += count;
        }
        return out;
    }

    /** Maps boxes to original-image pixels and applies the caller's class set and threshold. */
    private FrameDetections toFrame(DecodedBoxes raw, ResizePlan plan) {
        List<Detection> detections = new ArrayList<>();
        float[] box = new float[4];
        for (int j = 0; j < raw.count(); j++) {
            int cls = raw.classIndices()[j];
            float score = raw.scores()[j];
            if (!reported[cls] || score < scoreThreshold) {
                continue;
            }
            toOriginal(raw.boxes(), 4 * j, plan, manifest.output(), box);
            ClassInfo info = manifest.classes().get(cls);
            detections.add(new Detection(info.name(), info.id(), score, box[0], box[1], box[2], box[3]));
        }
        return new FrameDetections(plan.originalWidth(), plan.originalHeight(), detections);
    }

    /**
     * One box from network-input to original-image pixels, into {@code out[0..3]}. {@code clipToImage}
     * clips to the network input before scaling, as gluon-cv's evaluation does (spec A.13): with the
     * height ratio the clipped right edge becomes {@code width * origH / height}, which can differ from
     * the original width by a fraction of a pixel since the sides were rounded separately.
     */
    static void toOriginal(float[] boxes, int i, ResizePlan plan, ModelManifest.Output output, float[] out) {
        float sx;
        float sy;
        switch (output.boxScaling()) {
            case UNIFORM:
                sx = sy = (float) (1.0 / plan.scale());
                break;
            case HEIGHT:
                sx = sy = (float) plan.originalHeight() / plan.height();
                break;
            default:
                sx = (float) plan.originalWidth() / plan.width();
                sy = (float) plan.originalHeight() / plan.height();
        }
        boolean uniform = output.boxScaling() == ModelManifest.BoxScaling.UNIFORM;
        float scale = (float) plan.scale();
        for (int k = 0; k < 4; k++) {
            float v = boxes[i + k];
            if (output.clipToImage()) {
                v = clamp(v, k % 2 == 0 ? plan.width() : plan.height());
            }
            // D2Go divides by its float scale; per-axis rules multiply by the size ratios.
            out[k] = uniform ? v / scale : v * (k % 2 == 0 ? sx : sy);
        }
    }

    private static float clamp(float v, int max) {
        return Math.min(Math.max(v, 0f), max);
    }

    private static boolean[] reportedClasses(ModelManifest manifest, DetectorOptions options) {
        boolean[] reported = new boolean[manifest.numClasses()];
        for (ClassInfo c : manifest.classes()) {
            reported[c.index()] = options.classes().isEmpty() || options.classes().contains(c.name());
        }
        for (String name : options.classes()) {
            if (manifest.classes().stream().noneMatch(c -> c.name().equals(name))) {
                throw new BundleException("class '" + name + "' is not in bundle " + manifest.name());
            }
        }
        return reported;
    }
}
