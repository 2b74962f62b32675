package org.visionstream.operators.preprocess;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.visionstream.operators.bundle.ModelManifest.ColorOrder;
import org.visionstream.operators.bundle.ModelManifest.Preprocess;
import org.visionstream.operators.bundle.ModelManifest.ResizeMethod;

/**
 * Turns decoded BGR pixels into the bundle's network input: resize rule, colour order, normalisation
 * ({@code (pixel * pixelScale - mean) / std}) and padding. The float bilinear paths follow PyTorch's
 * {@code upsample_bilinear2d} arithmetic; the OpenCV paths resize the 8-bit image as gluon-cv does.
 * Thread-safe.
 */
public final class Preprocessor {

    /** 16 Mpx of network input (192 MiB of floats): far above any sane rule, far below a heap blow-up. */
    public static final long MAX_INPUT_PIXELS = 16L << 20;

    private final Preprocess spec;
    /** For each network channel, the BGR channel it reads. */
    private final int[] source = new int[3];

    public Preprocessor(Preprocess spec) {
        this.spec = spec;
        for (int c = 0; c < 3; c++) {
            source[c] = spec.colorOrder() == ColorOrder.BGR ? c : 2 - c;
        }
    }

    public ResizePlan plan(int width, int height) {
        return ResizePlan.of(spec.resize(), width, height);
    }

    /**
     * The network-input size of {@code image}: the resize plan and the padded sides.
     *
     * @throws ImageRejectedException {@code NETWORK_INPUT_TOO_LARGE} when the resize rule would make a
     *     network input of more than {@link #MAX_INPUT_PIXELS} (an extreme aspect ratio under a rule
     *     without a maximum size); nothing is allocated before the check
     */
    public InputSize size(DecodedImage image) throws ImageRejectedException {
        // Planned on the original size: a reduced decode changes where the pixels are sampled from, not
        // the network input's size nor where its boxes map back to.
        ResizePlan plan = plan(image.originalWidth(), image.originalHeight());
        // In long: a side near Integer.MAX_VALUE must be refused here, not overflow into a bad array size.
        long paddedWidth = padded(plan.width());
        long paddedHeight = padded(plan.height());
        if (paddedWidth * paddedHeight > MAX_INPUT_PIXELS) {
            throw new ImageRejectedException(ImageRejectedException.Reason.NETWORK_INPUT_TOO_LARGE,
                    "a " + image.originalWidth() + "x" + image.originalHeight() + " image becomes a " + paddedWidth + "x"
                            + paddedHeight + " network input, more than " + MAX_INPUT_PIXELS + " pixels");
        }
        return new InputSize(plan, (int) paddedWidth, (int) paddedHeight);
    }

    /**
     * The network input of one image in a new array; {@link #write} is the allocation-free form.
     *
     * @throws ImageRejectedException as {@link #size}
     */
    public PreprocessedImage apply(DecodedImage image) throws ImageRejectedException {
        InputSize size = size(image);
        float[] chw = new float[size.floats()];
        write(image, size, FloatBuffer.wrap(chw), 0);
        return new PreprocessedImage(chw, size.paddedWidth(), size.paddedHeight(), size.plan());
    }

    /**
     * Writes the network input of {@code image} into {@code out} from index {@code offset}: all
     * {@link InputSize#floats()} values, padding included, so a reused buffer needs no clearing. A direct
     * buffer in native order is what ONNX Runtime reads in place.
     *
     * @param size {@link #size} of this image
     */
    public void write(DecodedImage image, InputSize size, FloatBuffer out, int offset) {
        ResizePlan plan = size.plan();
        int paddedW = size.paddedWidth();
        int paddedH = size.paddedHeight();
        pad(out, offset, plan.width(), plan.height(), paddedW, paddedH);
        ResizeMethod method = spec.resize().method();
        if (method == ResizeMethod.OPENCV_LINEAR || method == ResizeMethod.OPENCV_CUBIC) {
            byte[] resized = resizeWithOpenCv(image, plan, method == ResizeMethod.OPENCV_LINEAR ? INTER_LINEAR : INTER_CUBIC);
            normalizeBytes(resized, plan.width(), plan.height(), out, offset, paddedW, paddedH);
        } else {
            resizeBilinear(image, plan, method == ResizeMethod.BILINEAR_ALIGN_CORNERS, out, offset, paddedW, paddedH);
        }
    }

    /** The pad value right of and below the {@code w x h} content of each channel plane. */
    private void pad(FloatBuffer out, int offset, int w, int h, int paddedW, int paddedH) {
        float value = spec.padValue();
        int plane = paddedW * paddedH;
        for (int c = 0; c < 3; c++) {
            int base = offset + c * plane;
            for (int y = 0; y < paddedH; y++) {
                for (int x = y < h ? w : 0; x < paddedW; x++) {
                    out.put(base + y * paddedW + x, value);
                }
            }
        }
    }

    /** Bilinear resampling in float, writing normalised values straight into the output planes. */
    private void resizeBilinear(DecodedImage image, ResizePlan plan, boolean alignCorners, FloatBuffer out, int offset,
            int paddedW, int paddedH) {
        int inW = image.width();
        int inH = image.height();
        int outW = plan.width();
        int outH = plan.height();
        Axis xs = Axis.of(inW, outW, alignCorners);
        Axis ys = Axis.of(inH, outH, alignCorners);
        byte[] src = image.bgr();
        int plane = paddedW * paddedH;
        float[] sample = new float[3];
        for (int y = 0; y < outH; y++) {
            int r0 = ys.lo[y] * inW * 3;
            int r1 = ys.hi[y] * inW * 3;
            float h0 = ys.w0[y];
            float h1 = ys.w1[y];
            int dstRow = offset + y * paddedW;
            for (int x = 0; x < outW; x++) {
                int c0 = xs.lo[x] * 3;
                int c1 = xs.hi[x] * 3;
                float w0 = xs.w0[x];
                float w1 = xs.w1[x];
                for (int c = 0; c < 3; c++) {
                    float top = w0 * (src[r0 + c0 + c] & 0xFF) + w1 * (src[r0 + c1 + c] & 0xFF);
                    float bottom = w0 * (src[r1 + c0 + c] & 0xFF) + w1 * (src[r1 + c1 + c] & 0xFF);
                    sample[c] = h0 * top + h1 * bottom;
                }
                for (int c = 0; c < 3; c++) {
                    out.put(c * plane + dstRow + x, normalize(sample[source[c]], c));
                }
            }
        }
    }

    private void normalizeBytes(byte[] bgr, int w, int h, FloatBuffer out, int offset, int paddedW, int paddedH) {
        int plane = paddedW * paddedH;
        for (int y = 0; y < h; y++) {
            int dstRow = offset + y * paddedW;
            for (int x = 0; x < w; x++) {
                int p = (y * w + x) * 3;
                for (int c = 0; c < 3; c++) {
                    out.put(c * plane + dstRow + x, normalize(bgr[p + source[c]] & 0xFF, c));
                }
            }
        }
    }

    private float normalize(float pixel, int channel) {
        return (pixel * spec.pixelScale() - spec.mean()[channel]) / spec.std()[channel];
    }

    private static byte[] resizeWithOpenCv(DecodedImage image, ResizePlan plan, int interpolation) {
        try (BytePointer pixels = new BytePointer(image.bgr());
                Mat src = new Mat(image.height(), image.width(), CV_8UC3, pixels);
                Mat dst = new Mat();
                Size size = new Size(plan.width(), plan.height())) {
            if (plan.width() == image.width() && plan.height() == image.height()) {
                return image.bgr();
            }
            resize(src, dst, size, 0, 0, interpolation);
            byte[] out = new byte[plan.width() * plan.height() * 3];
            dst.data().get(out);
            return out;
        }
    }

    private long padded(int side) {
        long divisor = spec.sizeDivisibility();
        return divisor > 0 ? (side + divisor - 1) / divisor * divisor : side;
    }

    /** Source indices and weights along one axis, as PyTorch's upsample_bilinear2d computes them. */
    private static final class Axis {
        final int[] lo;
        final int[] hi;
        final float[] w0;
        final float[] w1;

        private Axis(int n) {
            lo = new int[n];
            hi = new int[n];
            w0 = new float[n];
            w1 = new float[n];
        }

        static Axis of(int in, int out, boolean alignCorners) {
            Axis a = new Axis(out);
            float scale = alignCorners
                    ? (out > 1 ? (float) (in - 1) / (out - 1) : 0f)
                    : (float) in / out;
            for (int i = 0; i < out; i++) {
                float src = alignCorners ? scale * i : Math.max(scale * (i + 0.5f) - 0.5f, 0f);
                int lo = Math.min((int) src, in - 1);
                a.lo[i] = lo;
                a.hi[i] = lo < in - 1 ? lo + 1 : lo;
                float l1 = src - lo;
                a.w1[i] = l1;
                a.w0[i] = 1f - l1;
            }
            return a;
        }
    }
}
