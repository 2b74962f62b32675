package org.visionstream.operators.detect;

import ai.onnxruntime.OrtException;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.visionstream.operators.bundle.BundleException;
import org.visionstream.operators.bundle.ModelBundle;
import org.visionstream.operators.bundle.ModelManifest;
import org.visionstream.operators.detect.StageTimes.Stage;
import org.visionstream.operators.detect.internal.FasterRcnnGraphs;
import org.visionstream.operators.detect.internal.FasterRcnnGraphs.Features;
import org.visionstream.operators.detect.internal.FasterRcnnGraphs.HeadOutputs;
import org.visionstream.operators.detect.internal.FasterRcnnGraphs.RpnOutputs;
import org.visionstream.operators.detect.internal.FasterRcnnTranslator;
import org.visionstream.operators.detect.internal.FasterRcnnTranslator.Rois;
import org.visionstream.operators.inference.ExecutionProvider;
import org.visionstream.operators.preprocess.DecodedImage;
import org.visionstream.operators.preprocess.ImageRejectedException;
import org.visionstream.operators.preprocess.InputSize;

/**
 * Faster R-CNN on a model bundle, from decoded images to detections in original-image pixels. Composes
 * the graphs ({@link FasterRcnnGraphs}: backbone, RPN and box head in ONNX Runtime) with the model
 * family's processing around them ({@link FasterRcnnTranslator}: preprocessing, proposals, detection
 * decoding, in Java) and times each stage. Free of Flink, so it serves the command line, benchmarks and
 * the streaming operator alike.
 *
 * <p>Failures say whose fault they are: {@link ImageRejectedException} is the image's (the same image
 * is refused every time); anything else ({@link OrtException}, errors, other runtime exceptions) is the
 * machinery's or the model's, and a caller that serves a stream should stop rather than skip the image.
 *
 * <p>Not thread-safe: the network input and post-processing buffers are reused. Use one detector per
 * thread (the Flink operator holds one per subtask). Close it to release the native sessions.
 */
public final class Detector implements AutoCloseable {

    /** At most this many warm-up passes over both shapes ({@link #warmUp}). */
    public static final int WARM_UP_PASSES = 10;

    /** Warm-up passes start only within this time from the first. */
    public static final Duration WARM_UP_BUDGET = Duration.ofSeconds(2);

    private final ModelManifest manifest;
    private final DetectorOptions options;
    private final FasterRcnnTranslator translator;
    private final FasterRcnnGraphs graphs;

    private Detector(ModelManifest manifest, DetectorOptions options, FasterRcnnTranslator translator,
            FasterRcnnGraphs graphs) {
        this.manifest = manifest;
        this.options = options;
        this.translator = translator;
        this.graphs = graphs;
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
        FasterRcnnTranslator translator = new FasterRcnnTranslator(bundle.manifest(), options);
        FasterRcnnGraphs graphs = FasterRcnnGraphs.open(bundle, options.executionProvider(), options.requireGpu(),
                options.intraOpThreads());
        return new Detector(bundle.manifest(), options, translator, graphs);
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
        return graphs.provider();
    }

    /**
     * Runs the whole detector on synthetic images at the bundle's short side in the two common camera
     * shapes, 4:3 and 16:9, so that ONNX Runtime's first-run work for each input shape (memory arenas,
     * kernel selection) and the first passes through the Java code are not paid by the first real
     * frames: a stream's first events would otherwise be its slowest (200 to 400 ms instead of 70 for
     * D2Go on this CPU, in the demo, with a single 4:3 pass for a 16:9 camera).
     *
     * <p>Up to {@link #WARM_UP_PASSES} passes over both shapes, while they take less than
     * {@link #WARM_UP_BUDGET} (at least one): the JIT compiler needs several passes over the Java pre- and
     * post-processing before it compiles them. With one pass the demo's first frames still took 90 to
     * 250 ms (D2Go, this 2-core CPU) and its detector median was 92 to 120 ms over three runs; with ten,
     * 76 to 104 ms. The budget keeps a large model's start (a full-size ResNet-50 takes seconds per pass
     * on a CPU, where the Java parts matter least) from growing by minutes.
     *
     * @return the time of each stage of the warm-up
     * @throws OrtException when ONNX Runtime fails, as {@link #detect(DecodedImage)} would on a frame
     */
    public StageTimes warmUp() throws OrtException {
        ModelManifest.Resize resize = manifest.preprocess().resize();
        int height = resize.shortSide();
        StageTimes times = new StageTimes();
        List<DecodedImage> shapes = new ArrayList<>();
        for (int width : new int[] {height * 4 / 3, height * 16 / 9}) {
            shapes.add(syntheticImage(resize.maxSize() > 0 ? Math.min(resize.maxSize(), width) : width, height));
        }
        long deadline = System.nanoTime() + WARM_UP_BUDGET.toNanos();
        for (int pass = 0; pass < WARM_UP_PASSES && (pass == 0 || System.nanoTime() < deadline); pass++) {
            for (DecodedImage image : shapes) {
                try {
                    detect(List.of(image), times);
                } catch (ImageRejectedException e) {
                    throw new IllegalStateException("the bundle refuses an image at its own input size", e);
                }
            }
        }
        return times;
    }

    /** Smooth gradients with a few edges: the RPN proposes regions on it, so the head runs too. */
    private static DecodedImage syntheticImage(int width, int height) {
        byte[] bgr = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * 3;
                bgr[i] = (byte) (x * 255 / width);
                bgr[i + 1] = (byte) (y * 255 / height);
                bgr[i + 2] = (byte) (((x / 32) + (y / 32)) % 2 == 0 ? 40 : 210);
            }
        }
        return new DecodedImage(width, height, bgr);
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
        long t0 = System.nanoTime();
        List<InputSize> sizes = translator.sizes(images);
        record(times, Stage.PREPROCESS, t0);
        Map<Long, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < sizes.size(); i++) {
            InputSize size = sizes.get(i);
            long key = graphs.batchable() ? ((long) size.paddedHeight() << 32) | size.paddedWidth() : i;
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        }
        FrameDetections[] results = new FrameDetections[images.size()];
        for (List<Integer> group : groups.values()) {
            List<DecodedImage> batch = new ArrayList<>(group.size());
            List<InputSize> batchSizes = new ArrayList<>(group.size());
            for (int index : group) {
                batch.add(images.get(index));
                batchSizes.add(sizes.get(index));
            }
            List<FrameDetections> out = detectBatch(batch, batchSizes, times);
            for (int k = 0; k < group.size(); k++) {
                results[group.get(k)] = out.get(k);
            }
        }
        return Arrays.asList(results);
    }

    /** One pass of the three graphs over images that share a padded size. */
    private List<FrameDetections> detectBatch(List<DecodedImage> batch, List<InputSize> sizes, StageTimes times)
            throws OrtException {
        long t = System.nanoTime();
        FloatBuffer input = translator.input(batch, sizes);
        t = record(times, Stage.PREPROCESS, t);
        InputSize size = sizes.get(0);
        try (Features features = graphs.backbone(input, batch.size(), size.paddedHeight(), size.paddedWidth())) {
            t = record(times, Stage.BACKBONE, t);
            RpnOutputs rpn = features.rpn();
            t = record(times, Stage.RPN, t);
            Rois rois = translator.proposals(rpn, features.height(), features.width(), sizes);
            t = record(times, Stage.PROPOSALS, t);
            if (rois.total() == 0) {
                return translator.detections(null, rois, sizes);
            }
            HeadOutputs head = features.head(rois.rows(), rois.total());
            t = record(times, Stage.HEAD, t);
            List<FrameDetections> out = translator.detections(head, rois, sizes);
            record(times, Stage.DETECTIONS, t);
            return out;
        }
    }

    private static long record(StageTimes times, Stage stage, long since) {
        long now = System.nanoTime();
        if (times != null) {
            times.add(stage, now - since);
        }
        return now;
    }

    @Override
    public void close() throws OrtException {
        graphs.close();
    }
}
