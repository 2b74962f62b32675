package org.visionstream.operators.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.visionstream.operators.bundle.ModelManifest.ColorOrder;
import org.visionstream.operators.bundle.ModelManifest.Preprocess;
import org.visionstream.operators.bundle.ModelManifest.Resize;
import org.visionstream.operators.bundle.ModelManifest.ResizeMethod;
import org.visionstream.operators.bundle.ModelManifest.SizeRounding;
import org.visionstream.operators.inference.OrtGraph;
import org.visionstream.operators.preprocess.DecodedImage;
import org.visionstream.operators.preprocess.ImageRejectedException;
import org.visionstream.operators.preprocess.InputSize;
import org.visionstream.operators.preprocess.Preprocessor;

/**
 * One frame's network input, from decoded BGR pixels to the ONNX Runtime tensor the backbone reads, as
 * the detector makes it: resize and normalise into its reused direct buffer, then a tensor over that
 * buffer. Two bundles' rules: D2Go (float bilinear, align corners, short side 320) and gluon-cv (OpenCV
 * linear on the 8-bit image, short side 600, RGB, ImageNet mean/std). Run with {@code -prof gc} for the
 * bytes allocated per frame.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PreprocessBenchmark {

    @Param({"d2go", "gluoncv"})
    String rule;

    @Param({"480x270", "1920x1080"})
    String image;

    private Preprocessor preprocessor;
    private DecodedImage decoded;
    private FloatBuffer input;

    @Setup
    public void setup() throws ImageRejectedException {
        preprocessor = new Preprocessor(rule.equals("d2go")
                ? new Preprocess(ColorOrder.BGR, 1f, new float[] {103.53f, 116.28f, 123.675f}, new float[] {1, 1, 1},
                        new Resize(320, 0, ResizeMethod.BILINEAR_ALIGN_CORNERS, SizeRounding.FLOOR), 0, 0f)
                : new Preprocess(ColorOrder.RGB, 1f / 255, new float[] {0.485f, 0.456f, 0.406f},
                        new float[] {0.229f, 0.224f, 0.225f},
                        new Resize(600, 1000, ResizeMethod.OPENCV_LINEAR, SizeRounding.ROUND_HALF_EVEN), 0, 0f));
        String[] wh = image.split("x");
        int w = Integer.parseInt(wh[0]);
        int h = Integer.parseInt(wh[1]);
        byte[] bgr = new byte[w * h * 3];
        new Random(7).nextBytes(bgr);
        decoded = new DecodedImage(w, h, bgr);
        int floats = preprocessor.size(decoded).floats();
        input = ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    @Benchmark
    public long networkInput() throws ImageRejectedException, OrtException {
        InputSize size = preprocessor.size(decoded);
        preprocessor.write(decoded, size, input, 0);
        try (OnnxTensor tensor = OrtGraph.tensor(input.duplicate().limit(size.floats()), 1, 3, size.paddedHeight(),
                size.paddedWidth())) {
            return tensor.getInfo().getNumElements();
        }
    }
}
