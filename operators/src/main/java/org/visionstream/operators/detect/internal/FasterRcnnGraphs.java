package org.visionstream.operators.detect.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.visionstream.operators.bundle.BundleException;
import org.visionstream.operators.bundle.ModelBundle;
import org.visionstream.operators.bundle.ModelManifest;
import org.visionstream.operators.inference.ExecutionProvider;
import org.visionstream.operators.inference.OrtGraph;

/**
 * The three graphs of a Faster R-CNN bundle in ONNX Runtime: backbone, RPN head and box head, run for a
 * batch of network inputs. Knows the graphs' tensor contract (names, and the output widths the manifest
 * implies) and nothing of anchors, NMS or classes: {@link FasterRcnnTranslator} does everything between
 * and after the graphs.
 */
public final class FasterRcnnGraphs implements AutoCloseable {

    private final OrtGraph backbone;
    private final OrtGraph rpn;
    private final OrtGraph head;
    private final boolean batchable;

    private FasterRcnnGraphs(OrtGraph backbone, OrtGraph rpn, OrtGraph head) throws OrtException {
        this.backbone = backbone;
        this.rpn = rpn;
        this.head = head;
        this.batchable = backbone.acceptsBatch("image") && rpn.acceptsBatch("features") && head.acceptsBatch("features");
    }

    /**
     * Opens the bundle's graphs and checks their outputs against its manifest.
     *
     * @throws BundleException naming what is wrong with the bundle or why ONNX Runtime refused a graph
     * @throws IllegalStateException when {@code requireGpu} is set and the GPU provider cannot be loaded
     */
    public static FasterRcnnGraphs open(ModelBundle bundle, ExecutionProvider provider, boolean requireGpu,
            int intraOpThreads) {
        List<OrtGraph> opened = new ArrayList<>(3);
        try {
            opened.add(OrtGraph.open(bundle.backbone(), provider, requireGpu, intraOpThreads));
            opened.add(OrtGraph.open(bundle.rpn(), provider, requireGpu, intraOpThreads));
            opened.add(OrtGraph.open(bundle.head(), provider, requireGpu, intraOpThreads));
            checkOutputs(bundle.manifest(), opened.get(1), opened.get(2));
            return new FasterRcnnGraphs(opened.get(0), opened.get(1), opened.get(2));
        } catch (OrtException | RuntimeException e) {
            for (OrtGraph g : opened) {
                try {
                    g.close();
                } catch (OrtException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            // A missing required GPU is the machine's fault, not the bundle's: keep it apart.
            if (e instanceof BundleException || e instanceof IllegalStateException) {
                throw (RuntimeException) e;
            }
            throw new BundleException("cannot open the graphs of bundle " + bundle.directory() + ": " + e.getMessage(), e);
        }
    }

    /** A graph whose fixed output sizes disagree with the manifest would decode garbage: refuse it. */
    private static void checkOutputs(ModelManifest m, OrtGraph rpn, OrtGraph head) throws OrtException {
        int a = m.anchors().anchorsPerLocation();
        rpn.requireOutputDimension("objectness", 1, a, "anchors.sizes x anchors.aspectRatios");
        rpn.requireOutputDimension("deltas", 1, 4L * a, "4 x anchors per location");
        head.requireOutputDimension("scores", 1, m.head().scoreColumns(), "classes, plus background with softmax");
        head.requireOutputDimension("deltas", 1, 4L * m.head().boxSlots(),
                "head.classSpecificBoxes, head.deltasHaveBackgroundSlot");
    }

    /** Whether several images of one size can share a run: every graph's batch dimension is dynamic. */
    public boolean batchable() {
        return batchable;
    }

    /** The provider the graphs run on, after any GPU fallback. */
    public ExecutionProvider provider() {
        return backbone.provider();
    }

    /**
     * Runs the backbone on {@code n} network inputs of {@code 3 x height x width} floats each, one after
     * another in {@code input} from its position: a direct buffer in native order is read in place.
     */
    public Features backbone(FloatBuffer input, int n, int height, int width) throws OrtException {
        try (OnnxTensor image = OrtGraph.tensor(input, n, 3, height, width)) {
            return new Features(backbone.run(Map.of("image", image)));
        }
    }

    /** The RPN's outputs, NCHW: {@code objectness [n, A, h, w]}, {@code deltas [n, 4A, h, w]}. */
    public record RpnOutputs(float[] objectness, float[] deltas) {}

    /** The box head's outputs, one row per RoI: {@code scores [R, K]}, {@code deltas [R, 4 * slots]}. */
    public record HeadOutputs(float[] scores, float[] deltas) {}

    /** The backbone's feature map of one batch, held in native memory until closed. */
    public final class Features implements AutoCloseable {

        private final OrtSession.Result result;
        private final OnnxTensor map;
        private final int height;
        private final int width;

        private Features(OrtSession.Result result) throws OrtException {
            this.result = result;
            this.map = (OnnxTensor) result.get(0);
            long[] shape = OrtGraph.shape(map);
            this.height = (int) shape[2];
            this.width = (int) shape[3];
        }

        public int height() {
            return height;
        }

        public int width() {
            return width;
        }

        public RpnOutputs rpn() throws OrtException {
            try (OrtSession.Result out = rpn.run(Map.of("features", map))) {
                return new RpnOutputs(OrtGraph.read(value(out, "objectness"), null),
                        OrtGraph.read(value(out, "deltas"), null));
            }
        }

        /** @param rois {@code count} rows of {@code [batch index, x1, y1, x2, y2]} in network-input pixels */
        public HeadOutputs head(float[] rois, int count) throws OrtException {
            try (OnnxTensor roiTensor = OrtGraph.tensor(FloatBuffer.wrap(rois, 0, count * 5), count, 5);
                    OrtSession.Result out = head.run(Map.of("features", map, "rois", roiTensor))) {
                return new HeadOutputs(OrtGraph.read(value(out, "scores"), null),
                        OrtGraph.read(value(out, "deltas"), null));
            }
        }

        @Override
        public void close() {
            result.close();
        }
    }

    private static OnnxValue value(OrtSession.Result result, String name) throws OrtException {
        return result.get(name).orElseThrow(() -> new OrtException("graph output '" + name + "' is missing"));
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
