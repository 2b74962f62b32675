package org.visionstream.operators.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ONNX graph in an ONNX Runtime session. The environment is the JVM-wide singleton; the session is
 * created once and reused. {@link #run} is safe to call from several threads at once (ONNX Runtime
 * sessions are), but every {@link OrtSession.Result} it returns must be closed by the caller.
 */
public final class OrtGraph implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OrtGraph.class);

    /** ONNX Runtime's kOrtSessionOptionsAvx2PrecisionMode. */
    private static final String X64_QUANT_PRECISION = "session.x64quantprecision";

    /** ONNX Runtime's kOrtSessionOptionsConfigAllowIntraOpSpinning. */
    private static final String ALLOW_SPINNING = "session.intra_op.allow_spinning";

    private static final String GPU_HINT = "build with -Pgpu (the onnxruntime_gpu artifact) and check the CUDA "
            + "driver and the device index";

    private final String name;
    private final OrtSession session;
    private final ExecutionProvider provider;

    private OrtGraph(String name, OrtSession session, ExecutionProvider provider) {
        this.name = name;
        this.session = session;
        this.provider = provider;
    }

    public static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment();
    }

    /**
     * Opens {@code file} on the requested provider. A GPU provider that cannot be loaded (CPU-only build,
     * no driver, bad device index) is replaced by CPU with a warning, unless {@code required}: then a
     * deployment that pays for a GPU fails at start instead of running many times slower unnoticed.
     *
     * @throws IllegalStateException when {@code required} and the provider cannot be loaded, naming it
     *     and ONNX Runtime's reason
     */
    public static OrtGraph open(Path file, ExecutionProvider requested, boolean required, int intraOpThreads)
            throws OrtException {
        ExecutionProvider provider = requested;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            // x86 CPUs without VNNI (AVX2, AVX-512 before Cascade Lake) run U8S8 int8 kernels whose 16-bit
            // intermediates saturate: int8 graphs drift far from their model there. The exact U8U8 kernels
            // only replace them on such CPUs.
            options.addConfigEntry(X64_QUANT_PRECISION, "1");
            if (intraOpThreads > 0) {
                options.setIntraOpNumThreads(intraOpThreads);
            }
            // A detector shares its cores with Flink's threads (source, decode, sinks), the broker's and its
            // own other sessions' (each of the three graphs has its own pool): idle pool threads that spin
            // take the CPU from them. On 2 busy cores, 2 threads: 212-300 ms per D2Go frame spinning,
            // 58-67 ms not, at less than half the CPU time.
            options.addConfigEntry(ALLOW_SPINNING, "0");
            try {
                switch (requested.kind()) {
                    case CUDA:
                        options.addCUDA(requested.deviceId());
                        break;
                    case TENSORRT:
                        options.addTensorrt(requested.deviceId());
                        options.addCUDA(requested.deviceId());
                        break;
                    default:
                        break;
                }
            } catch (OrtException | UnsatisfiedLinkError | IllegalArgumentException e) {
                if (required) {
                    throw new IllegalStateException("execution provider " + requested + " is required but cannot "
                            + "be loaded (" + e.getMessage() + "); " + GPU_HINT, e);
                }
                LOG.warn("Execution provider {} is not available ({}); running {} on CPU. To use the GPU, {}.",
                        requested, e.getMessage(), file.getFileName(), GPU_HINT);
                provider = ExecutionProvider.CPU;
            }
            OrtSession session = environment().createSession(file.toString(), options);
            return new OrtGraph(file.getFileName().toString(), session, provider);
        }
    }

    public String name() {
        return name;
    }

    /** The provider the session really runs on, after any fallback. */
    public ExecutionProvider provider() {
        return provider;
    }

    /** Whether input {@code input}'s first dimension is dynamic, so several images can share a run. */
    public boolean acceptsBatch(String input) throws OrtException {
        NodeInfo info = session.getInputInfo().get(input);
        if (info == null || !(info.getInfo() instanceof TensorInfo tensor)) {
            throw new OrtException(name + " has no tensor input '" + input + "'");
        }
        long[] shape = tensor.getShape();
        return shape.length > 0 && shape[0] != 1;
    }

    /**
     * Checks that output {@code output} exists and that its dimension {@code axis}, when the graph fixes
     * it, is {@code expected}; names the graph, output and manifest rule otherwise.
     */
    public void requireOutputDimension(String output, int axis, long expected, String why) throws OrtException {
        NodeInfo info = session.getOutputInfo().get(output);
        if (info == null || !(info.getInfo() instanceof TensorInfo tensor)) {
            throw new OrtException(name + " has no tensor output '" + output + "'");
        }
        long[] shape = tensor.getShape();
        if (shape.length <= axis) {
            throw new OrtException(name + " output '" + output + "' has rank " + shape.length + ", expected > " + axis);
        }
        if (shape[axis] >= 0 && shape[axis] != expected) {
            throw new OrtException(name + " output '" + output + "' has " + shape[axis] + " in dimension " + axis
                    + ", but the manifest implies " + expected + " (" + why + ")");
        }
    }

    public OrtSession.Result run(Map<String, ? extends OnnxTensor> inputs) throws OrtException {
        return session.run(inputs);
    }

    /**
     * A float tensor over the remaining floats of {@code data}: ONNX Runtime reads a direct buffer in
     * native order in place, and copies any other buffer into native memory first.
     */
    public static OnnxTensor tensor(FloatBuffer data, long... shape) throws OrtException {
        return OnnxTensor.createTensor(environment(), data, shape);
    }

    /** Copies a float output into {@code dst} (grown when too small) and returns it. */
    public static float[] read(OnnxValue value, float[] dst) {
        FloatBuffer buffer = ((OnnxTensor) value).getFloatBuffer();
        float[] out = dst != null && dst.length >= buffer.remaining() ? dst : new float[buffer.remaining()];
        buffer.get(out, 0, buffer.remaining());
        return out;
    }

    public static long[] shape(OnnxValue value) throws OrtException {
        return ((TensorInfo) value.getInfo()).getShape();
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
