package org.visionstream.operators.detect;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.visionstream.operators.bundle.BundleException;
import org.visionstream.operators.bundle.ModelBundle;
import org.visionstream.operators.bundle.ModelManifest;
import org.visionstream.operators.bundle.ModelManifest.ClassInfo;
import org.visionstream.operators.detect.StageTimes.Stage;
import org.visionstream.operators.inference.ExecutionProvider;
import org.visionstream.operators.inference.OrtGraph;
import org.visionstream.operators.postprocess.AnchorGenerator;
import org.visionstream.operators.postprocess.DetectionDecoder;
import org.visionstream.operators.postprocess.Detections;
import org.visionstream.operators.postprocess.ProposalSelector;
import org.visionstream.operators.preprocess.DecodedImage;
import org.visionstream.operators.preprocess.ImageRejectedException;
import org.visionstream.operators.preprocess.PreprocessedImage;
import org.visionstream.operators.preprocess.Preprocessor;
import org.visionstream.operators.preprocess.ResizePlan;

/**
 * Faster R-CNN on a model bundle: preprocessing, backbone, RPN, proposal selection, box head and
 * detection decoding, boxes mapped back to original-image pixels. The three graphs run in ONNX Runtime,
 * everything between them in Java. Free of Flink, so it serves the command line, benchmarks and the
 * streaming operator alike.
 *
 * <p>Failures say whose fault they are: {@link ImageRejectedException} is the image's (the same image
 * is refused every time); anything else ({@link OrtException}, errors, other runtime exceptions) is the
 * machinery's or the model's, and a caller that serves a stream should stop rather than skip the image.
 *
 * <p>Not thread-safe: post-processing reuses scratch buffers. Use one detector per thread (the Flink
 * operator holds one per subtask). Close it to release the native sessions.
 */
public final class Detector implements AutoCloseable {

    private final ModelManifest manifest;
    private final DetectorOptions options;
    private final OrtGraph backbone;
    private final OrtGraph rpn;
    private final OrtGraph head;
    private final boolean batchable;
    private final Preprocessor preprocessor;
    private final AnchorGenerator anchors;
    private final ProposalSelector proposalSelector;
    private final DetectionDecoder decoder;
    private final boolean[] reported;
    private float[] proposalScratch;

    private Detector(DetectorOptions options, ModelBundle bundle, OrtGraph backbone, OrtGraph rpn, OrtGraph head)
            throws OrtException {
        this.options = options;
        this.manifest = bundle.manifest();
        this.backbone = backbone;
        this.rpn = rpn;
        this.head = head;
        this.batchable = backbone.acceptsBatch("image") && rpn.acceptsBatch("features") && head.acceptsBatch("features");
        this.preprocessor = new Preprocessor(manifest.preprocess());
        this.anchors = PostprocessFactory.anchors(manifest.anchors());
        this.proposalSelector = new ProposalSelector(PostprocessFactory.proposals(manifest.rpn()));
        this.decoder = new DetectionDecoder(PostprocessFactory.detections(manifest.head(), manifest.numClasses()));
        this.reported = reportedClasses(manifest, options);
        this.proposalScratch = new float[manifest.rpn().postNmsTopK() * 4];
    }

    /**
     * Loads the bundle and opens its graphs.
     *
     * @throws BundleException naming what is wrong with the bundle
     * @throws IllegalStateException when {@link DetectorOptions#requireGpu()} is set and the GPU provider
     *     cannot be loaded, naming the provider and why
     */
    public static Detector create(DetectorOptions options) {
        ModelBundle bundle = ModelBundle.load(options.bundle());
        List<OrtGraph> opened = new ArrayList<>(3);
        try {
            ExecutionProvider ep = options.executionProvider();
            boolean required = options.requireGpu();
            int threads = options.intraOpThreads();
            opened.add(OrtGraph.open(bundle.backbone(), ep, required, threads));
            opened.add(OrtGraph.open(bundle.rpn(), ep, required, threads));
            opened.add(OrtGraph.open(bundle.head(), ep, required, threads));
            checkOutputs(bundle.manifest(), opened.get(1), opened.get(2));
            return new Detector(options, bundle, opened.get(0), opened.get(1), opened.get(2));
        } catch (OrtException | RuntimeException e) {
            closeQuietly(opened, e);
            // A missing required GPU is the machine's fault, not the bundle's: keep it apart.
            if (e instanceof BundleException || e instanceof IllegalStateException) {
                throw (RuntimeException) e;
            }
            throw new BundleException("cannot open the graphs of bundle " + options.bundle() + ": " + e.getMessage(), e);
        }
    }

    /** A graph whose fixed output sizes disagree with the manifest would decode garbage: refuse it. */
    private static void checkOutputs(ModelManifest m, OrtGraph rpn, OrtGraph head) throws OrtException {
        int a = m.anchors().sizes().length * m.anchors().aspectRatios().length;
        rpn.requireOutputDimension("objectness", 1, a, "anchors.sizes x anchors.aspectRatios");
        rpn.requireOutputDimension("deltas", 1, 4L * a, "4 x anchors per location");
        int k = m.numClasses();
        boolean softmax = m.head().scoreActivation().equals("softmax");
        head.requireOutputDimension("scores", 1, softmax ? k + 1 : k, "classes, plus background with softmax");
        int slots = !m.head().classSpecificBoxes() ? 1 : m.head().deltasHaveBackgroundSlot() ? k + 1 : k;
        head.requireOutputDimension("deltas", 1, 4L * slots, "head.classSpecificBoxes, head.deltasHaveBackgroundSlot");
    }

    public ModelManifest manifest() {
        return manifest;
    }

    public DetectorOptions options() {
        return options;
    }

    /**
     * The provider the graphs actually run on: the requested one, or CPU after a GPU fallback (see
     * {@link DetectorOptions#requireGpu()}); {@code options().executionProvider()} is the requested one.
     */
    public ExecutionProvider executionProvider() {
        return backbone.provider();
    }

    /**
     * @throws ImageRejectedException when the image cannot be a network input of this bundle
     * @throws OrtException when ONNX Runtime fails: the session, device or memory, not the image
     */
    public FrameDetections detect(DecodedImage image) throws OrtException, ImageRejectedException {
        return detect(List.of(image), null).get(0);
    }

    /**
     * Detects on several images; images of the same network-input size share one backbone run. Fails as
     * {@link #detect(DecodedImage)}; one rejected image fails the whole call before any graph runs.
     */
    public List<FrameDetections> detect(List<DecodedImage> images) throws OrtException, ImageRejectedException {
        return detect(images, null);
    }

    /** As {@link #detect(List)}, adding the time of each stage to {@code times} when it is not null. */
    public List<FrameDetections> detect(List<DecodedImage> images, StageTimes times)
            throws OrtException, ImageRejectedException {
        FrameDetections[] results = new FrameDetections[images.size()];
        long t0 = System.nanoTime();
        List<PreprocessedImage> inputs = new ArrayList<>(images.size());
        for (DecodedImage image : images) {
            inputs.add(preprocessor.apply(image));
        }
        record(times, Stage.PREPROCESS, t0);
        Map<Long, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            PreprocessedImage in = inputs.get(i);
            long key = batchable ? ((long) in.paddedHeight() << 32) | in.paddedWidth() : i;
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        }
        for (List<Integer> group : groups.values()) {
            List<PreprocessedImage> batch = new ArrayList<>(group.size());
            for (int index : group) {
                batch.add(inputs.get(index));
            }
            List<FrameDetections> out = detectBatch(batch, times);
            for (int k = 0; k < group.size(); k++) {
                results[group.get(k)] = out.get(k);
            }
        }
        return Arrays.asList(results);
    }

    /** One pass of the three graphs over images that share a padded size. */
    private List<FrameDetections> detectBatch(List<PreprocessedImage> batch, StageTimes times) throws OrtException {
        int n = batch.size();
        int paddedH = batch.get(0).paddedHeight();
        int paddedW = batch.get(0).paddedWidth();
        int imageFloats = 3 * paddedH * paddedW;
        float[] pixels = new float[n * imageFloats];
        for (int i = 0; i < n; i++) {
            System.arraycopy(batch.get(i).chw(), 0, pixels, i * imageFloats, imageFloats);
        }
        long t = System.nanoTime();
        try (OnnxTensor image = OrtGraph.tensor(pixels, n, 3, paddedH, paddedW);
                OrtSession.Result features = backbone.run(Map.of("image", image))) {
            t = record(times, Stage.BACKBONE, t);
            OnnxTensor featureMap = (OnnxTensor) features.get(0);
            long[] featureShape = OrtGraph.shape(featureMap);
            int featH = (int) featureShape[2];
            int featW = (int) featureShape[3];
            float[] objectness;
            float[] rpnDeltas;
            try (OrtSession.Result rpnOut = rpn.run(Map.of("features", featureMap))) {
                objectness = OrtGraph.read(value(rpnOut, "objectness"), null);
                rpnDeltas = OrtGraph.read(value(rpnOut, "deltas"), null);
            }
            t = record(times, Stage.RPN, t);

            int a = anchors.anchorsPerLocation();
            int objPerImage = a * featH * featW;
            float[] cellAnchors = anchors.anchors(featH, featW);
            int maxProposals = manifest.rpn().postNmsTopK();
            float[] rois = new float[n * maxProposals * 5];
            int[] counts = new int[n];
            int total = 0;
            for (int i = 0; i < n; i++) {
                ResizePlan plan = batch.get(i).plan();
                int count = proposalSelector.select(objectness, i * objPerImage, rpnDeltas, i * 4 * objPerImage,
                        featH, featW, cellAnchors, plan.height(), plan.width(), proposalScratch);
                for (int r = 0; r < count; r++) {
                    int dst = (total + r) * 5;
                    rois[dst] = i;
                    System.arraycopy(proposalScratch, r * 4, rois, dst + 1, 4);
                }
                counts[i] = count;
                total += count;
            }
            t = record(times, Stage.PROPOSALS, t);

            List<FrameDetections> out = new ArrayList<>(n);
            if (total == 0) {
                for (PreprocessedImage in : batch) {
                    out.add(new FrameDetections(in.plan().originalWidth(), in.plan().originalHeight(), List.of()));
                }
                return out;
            }
            float[] logits;
            float[] boxDeltas;
            try (OnnxTensor roiTensor = OrtGraph.tensor(Arrays.copyOf(rois, total * 5), total, 5);
                    OrtSession.Result headOut = head.run(Map.of("features", featureMap, "rois", roiTensor))) {
                logits = OrtGraph.read(value(headOut, "scores"), null);
                boxDeltas = OrtGraph.read(value(headOut, "deltas"), null);
            }
            t = record(times, Stage.HEAD, t);

            int k = logits.length / total;
            int d = boxDeltas.length / total;
            float[] proposals = new float[maxProposals * 4];
            int start = 0;
            for (int i = 0; i < n; i++) {
                for (int r = 0; r < counts[i]; r++) {
                    System.arraycopy(rois, (start + r) * 5 + 1, proposals, r * 4, 4);
                }
                ResizePlan plan = batch.get(i).plan();
                Detections raw = decoder.decode(logits, start * k, boxDeltas, start * d, proposals, counts[i],
                        plan.height(), plan.width());
                out.add(toFrame(raw, plan));
                start += counts[i];
            }
            record(times, Stage.DETECTIONS, t);
            return out;
        }
    }

    /** Maps boxes to original-image pixels and applies the caller's class set and threshold. */
    private FrameDetections toFrame(Detections raw, ResizePlan plan) {
        List<Detection> detections = new ArrayList<>();
        float[] box = new float[4];
        for (int j = 0; j < raw.count(); j++) {
            int cls = raw.classIndices()[j];
            float score = raw.scores()[j];
            if (!reported[cls] || score < options.scoreThreshold()) {
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

    private static OnnxValue value(OrtSession.Result result, String name) throws OrtException {
        return result.get(name).orElseThrow(() -> new OrtException("graph output '" + name + "' is missing"));
    }

    private static long record(StageTimes times, Stage stage, long since) {
        long now = System.nanoTime();
        if (times != null) {
            times.add(stage, now - since);
        }
        return now;
    }

    private static void closeQuietly(List<OrtGraph> graphs, Exception cause) {
        for (OrtGraph g : graphs) {
            try {
                g.close();
            } catch (OrtException e) {
                cause.addSuppressed(e);
            }
        }
    }

    @Override
    public void close() throws OrtException {
        OrtException first = null;
        for (OrtGraph g : new OrtGraph[] {backbone, rpn, head}) {
            try {
                g.close();
            } catch (OrtException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
