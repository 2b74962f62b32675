package org.visionstream.operators.testing;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;

/** What the ONNX Runtime artifact on the test class path can do. */
public final class OrtRuntime {

    private OrtRuntime() {}

    /** Skips the test unless this is the default, CPU-only artifact (not -Pgpu), on which GPU providers cannot load. */
    public static void assumeCpuOnly() {
        assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
                "needs the CPU-only onnxruntime artifact, on which GPU providers cannot load");
    }
}
