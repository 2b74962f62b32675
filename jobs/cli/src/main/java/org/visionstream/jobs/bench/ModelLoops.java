package org.visionstream.jobs.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import org.visionstream.operators.bundle.ModelBundle;
import org.visionstream.operators.bundle.ModelManifest;
import org.visionstream.operators.detect.Detector;
import org.visionstream.operators.detect.DetectorOptions;
import org.visionstream.operators.inference.OrtGraph;
import org.visionstream.operators.postprocess.AnchorGenerator;
import org.visionstream.operators.postprocess.ProposalSelector;
import org.visionstream.operators.preprocess.DecodedImage;
import org.visionstream.operators.preprocess.ImageDecoder;
import org.visionstream.operators.preprocess.PreprocessedImage;
import org.visionstream.operators.preprocess.Preprocessor;
import org.visionstream.operators.preprocess.ResizePlan;

/**
 * Rows (a) and (b): the model in this JVM, one frame at a time, timed per frame after untimed warm-up frames. CPU per
 * frame is this process's (ONNX Runtime's threads, JIT and GC included) over the timed frames.
 */
final class ModelLoops {

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ModelLoops() {}

    /**
     * (a) backbone, RPN and head in ONNX Runtime with nothing in between: the network input of the first frame and
     * the head's RoIs are made once (the RoIs are the proposals Java selects from one real RPN run, so the head
     * pools as many and as large regions as in the detector); each iteration runs the three graphs on them, the
     * RPN and head on that iteration's features, and reads no output into Java.
     */
    static Measurement rawGraphs(DetectorOptions options, byte[] frame, int warmup, int iterations) throws Exception {
        ModelBundle bundle = ModelBundle.load(options.bundle());
        ModelManifest manifest = bundle.manifest();
        PreprocessedImage input = new Preprocessor(manifest.preprocess()).apply(new ImageDecoder().decode(frame));
        int threads = options.intraOpThreads();
        try (OrtGraph backbone = OrtGraph.open(bundle.backbone(), options.executionProvider(), false, threads);
                OrtGraph rpn = OrtGraph.open(bundle.rpn(), options.executionProvider(), false, threads);
                OrtGraph head = OrtGraph.open(bundle.head(), options.executionProvider(), false, threads);
                OnnxTensor image = OrtGraph.tensor(FloatBuffer.wrap(input.chw()), 1, 3, input.paddedHeight(), input.paddedWidth());
                OnnxTensor rois = proposals(manifest, backbone, rpn, image, input.plan())) {
            long[] nanos = new long[iterations];
            long cpuStart = 0;
            for (int i = -warmup; i < iterations; i++) {
                if (i == 0) {
                    cpuStart = OS.getProcessCpuTime();
                }
                long start = System.nanoTime();
                try (OrtSession.Result features = backbone.run(Map.of("image", image))) {
                    OnnxTensor featureMap = (OnnxTensor) features.get(0);
                    try (OrtSession.Result r = rpn.run(Map.of("features", featureMap));
                            OrtSession.Result h = head.run(Map.of("features", featureMap, "rois", rois))) {
                        // outputs stay in ONNX Runtime's memory: reading them is the detector's work
                    }
                }
                if (i >= 0) {
                    nanos[i] = System.nanoTime() - start;
                }
            }
            double cpuPerFrame = (OS.getProcessCpuTime() - cpuStart) / 1e6 / iterations;
            return new Measurement("a", "3 ONNX graphs, fixed input and RoIs (" + rois.getInfo().getShape()[0] + ")",
                    Measurement.rate(iterations, sum(nanos)), cpuPerFrame, Measurement.Latency.of(millis(nanos)),
                    "per frame", null, "");
        }
    }

    /** The RoIs {@code [n, 5]} (batch index, box) Java selects from one run of the RPN on {@code image}. */
    private static OnnxTensor proposals(ModelManifest manifest, OrtGraph backbone, OrtGraph rpn, OnnxTensor image,
            ResizePlan plan) throws OrtException {
        try (OrtSession.Result features = backbone.run(Map.of("image", image));
                OrtSession.Result out = rpn.run(Map.of("features", (OnnxTensor) features.get(0)))) {
            long[] shape = OrtGraph.shape(features.get(0));
            int featH = (int) shape[2];
            int featW = (int) shape[3];
            AnchorGenerator anchors = new AnchorGenerator(manifest.anchors());
            float[] boxes = new float[manifest.rpn().postNmsTopK() * 4];
            int n = new ProposalSelector(manifest.rpn()).select(
                    OrtGraph.read(out.get("objectness").orElseThrow(), null), 0,
                    OrtGraph.read(out.get("deltas").orElseThrow(), null), 0, featH, featW,
                    anchors.anchors(featH, featW), plan.height(), plan.width(), boxes);
            float[] rois = new float[n * 5];
            for (int r = 0; r < n; r++) {
                System.arraycopy(boxes, r * 4, rois, r * 5 + 1, 4);
            }
            return OrtGraph.tensor(FloatBuffer.wrap(rois), n, 5);
        }
    }

    /**
     * (b) {@link Detector#detect} per frame on frames decoded beforehand, and the same with the JPEG decode the
     * job does before it ({@code b+decode}). The decode's CPU is its thread's (OpenCV decodes a JPEG on the
     * calling thread), the rest of the process's CPU is the detector's.
     */
    static List<Measurement> detector(DetectorOptions options, List<byte[]> frames, int warmup) throws Exception {
        ImageDecoder decoder = new ImageDecoder();
        long[] detect = new long[frames.size()];
        long[] decodeAndDetect = new long[frames.size()];
        long decodeCpu = 0;
        long cpu;
        try (Detector d = Detector.create(options)) {
            for (int i = 0; i < warmup; i++) {
                d.detect(decoder.decode(frames.get(i % frames.size())));
            }
            cpu = OS.getProcessCpuTime();
            for (int i = 0; i < frames.size(); i++) {
                long threadCpu = THREADS.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                DecodedImage image = decoder.decode(frames.get(i));
                long decoded = System.nanoTime();
                decodeCpu += THREADS.getCurrentThreadCpuTime() - threadCpu;
                d.detect(image);
                long end = System.nanoTime();
                detect[i] = end - decoded;
                decodeAndDetect[i] = end - start;
            }
            cpu = OS.getProcessCpuTime() - cpu;
        }
        int n = frames.size();
        return List.of(
                new Measurement("b", "detector core: Detector.detect on decoded frames",
                        Measurement.rate(n, sum(detect)), (cpu - decodeCpu) / 1e6 / n, Measurement.Latency.of(millis(detect)),
                        "per frame", null, ""),
                new Measurement("b+decode", "JPEG decode + Detector.detect, as the job does",
                        Measurement.rate(n, sum(decodeAndDetect)), cpu / 1e6 / n, Measurement.Latency.of(millis(decodeAndDetect)),
                        "per frame", null, ""));
    }

    static long sum(long[] values) {
        long s = 0;
        for (long v : values) {
            s += v;
        }
        return s;
    }

    static double[] millis(long[] nanos) {
        double[] ms = new double[nanos.length];
        for (int i = 0; i < nanos.length; i++) {
            ms[i] = nanos[i] / 1e6;
        }
        return ms;
    }
}
