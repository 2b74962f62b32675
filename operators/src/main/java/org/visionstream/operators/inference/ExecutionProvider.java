package org.visionstream.operators.inference;

import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

/**
 * Where ONNX Runtime executes the graphs: {@code cpu} (default), {@code cuda[:N]} or {@code tensorrt[:N]}.
 * GPU providers need the {@code gpu} Maven profile (the onnxruntime_gpu artifact); when one cannot be
 * loaded the graphs fall back to CPU with a warning, or, with
 * {@link org.visionstream.operators.detect.DetectorOptions#requireGpu()}, the detector fails to open.
 * {@link org.visionstream.operators.detect.Detector#executionProvider()} says which one runs.
 */
public record ExecutionProvider(Kind kind, int deviceId) implements Serializable {

    public enum Kind {
        CPU,
        CUDA,
        TENSORRT
    }

    public static final ExecutionProvider CPU = new ExecutionProvider(Kind.CPU, 0);

    public ExecutionProvider {
        Objects.requireNonNull(kind, "kind");
        if (deviceId < 0) {
            throw new IllegalArgumentException("device id must be >= 0, got " + deviceId);
        }
    }

    /** Parses {@code cpu}, {@code cuda}, {@code cuda:1}, {@code tensorrt:0}. */
    public static ExecutionProvider parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        String name = s;
        int device = 0;
        int colon = s.indexOf(':');
        if (colon >= 0) {
            name = s.substring(0, colon);
            try {
                device = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad device index in execution provider '" + spec + "'");
            }
        }
        switch (name) {
            case "cpu":
                if (colon >= 0) {
                    throw new IllegalArgumentException("the cpu provider takes no device index: '" + spec + "'");
                }
                return CPU;
            case "cuda":
                return new ExecutionProvider(Kind.CUDA, device);
            case "tensorrt":
                return new ExecutionProvider(Kind.TENSORRT, device);
            default:
                throw new IllegalArgumentException(
                        "unknown execution provider '" + spec + "': use cpu, cuda[:N] or tensorrt[:N]");
        }
    }

    /** Whether this is a GPU provider (CUDA or TensorRT). */
    public boolean isGpu() {
        return kind != Kind.CPU;
    }

    /** The same provider on another device (used when Flink assigns a GPU to the subtask). */
    public ExecutionProvider onDevice(int device) {
        return kind == Kind.CPU ? this : new ExecutionProvider(kind, device);
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : kind.name().toLowerCase(Locale.ROOT) + ":" + deviceId;
    }
}
