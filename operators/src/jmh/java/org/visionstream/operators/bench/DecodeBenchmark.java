package org.visionstream.operators.bench;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
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
import org.visionstream.operators.preprocess.DecodedImage;
import org.visionstream.operators.preprocess.ImageDecoder;
import org.visionstream.operators.preprocess.PreprocessedImage;
import org.visionstream.operators.preprocess.Preprocessor;

/**
 * A 1920x1080 JPEG (quality 90, the producer's default; the street photo upscaled, as the shared media
 * hold no 1080p image) decoded in full or reduced for D2Go's rule (short side 320: 1/2), alone and with
 * the preprocessing to the network input that follows it. Run from the checkout's root.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DecodeBenchmark {

    /** D2Go's preprocessing as convert_d2go.py writes it into model.json. */
    private static final Preprocess D2GO = new Preprocess(ColorOrder.BGR, 1f, new float[] {103.53f, 116.28f, 123.675f},
            new float[] {1f, 1f, 1f}, new Resize(320, 0, ResizeMethod.BILINEAR_ALIGN_CORNERS, SizeRounding.FLOOR), 0, 0f);

    @Param({"false", "true"})
    boolean reduced;

    @Param({"../shared/media/images/voc/000004.jpg"})
    String source;

    private byte[] jpeg;
    private ImageDecoder decoder;
    private Preprocessor preprocessor;

    @Setup
    public void setup() throws Exception {
        DecodedImage photo = new ImageDecoder().decode(Files.readAllBytes(Path.of(source)));
        try (BytePointer pixels = new BytePointer(photo.bgr());
                Mat src = new Mat(photo.height(), photo.width(), CV_8UC3, pixels);
                Mat large = new Mat();
                Size size = new Size(1920, 1080);
                BytePointer encoded = new BytePointer();
                IntPointer quality = new IntPointer(IMWRITE_JPEG_QUALITY, 90)) {
            resize(src, large, size, 0, 0, INTER_CUBIC);
            imencode(".jpg", large, encoded, quality);
            jpeg = new byte[(int) encoded.limit()];
            encoded.get(jpeg);
        }
        decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_BYTES, ImageDecoder.DEFAULT_MAX_PIXELS,
                reduced ? D2GO.resize() : null);
        preprocessor = new Preprocessor(D2GO);
    }

    @Benchmark
    public DecodedImage decode() throws Exception {
        return decoder.decode(jpeg);
    }

    @Benchmark
    public PreprocessedImage decodeAndPreprocess() throws Exception {
        return preprocessor.apply(decoder.decode(jpeg));
    }
}
