package org.visionstream.operators.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.visionstream.operators.inference.ExecutionProvider;
import org.visionstream.operators.testing.OrtRuntime;
import org.visionstream.operators.testing.SharedData;

/** A GPU provider the runtime cannot load: CPU fallback by default, a clear failure at start when required. */
class DetectorProviderITCase {

    @ParameterizedTest
    @ValueSource(strings = {"cuda", "tensorrt:1"})
    void aRequiredGpuThatCannotLoadFailsCreateNamingTheProviderAndWhy(String provider) {
        OrtRuntime.assumeCpuOnly();
        ExecutionProvider requested = ExecutionProvider.parse(provider);
        DetectorOptions options = DetectorOptions.builder().bundle(SharedData.d2goBundle())
                .executionProvider(requested).requireGpu(true).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Detector.create(options));
        OrtException why = assertInstanceOf(OrtException.class, e.getCause());
        assertTrue(e.getMessage().startsWith("execution provider " + requested + " is required but cannot be loaded"),
                e.getMessage());
        assertTrue(e.getMessage().contains(why.getMessage()), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"cuda", "tensorrt:1"})
    void withoutRequireGpuAGpuThatCannotLoadFallsBackToCpuAndSaysSo(String provider) throws Exception {
        OrtRuntime.assumeCpuOnly();
        ExecutionProvider requested = ExecutionProvider.parse(provider);
        try (Detector detector = Detector.create(DetectorOptions.builder().bundle(SharedData.d2goBundle())
                .executionProvider(requested).build())) {
            assertEquals(ExecutionProvider.CPU, detector.executionProvider());
            assertEquals(requested, detector.options().executionProvider());
        }
    }

    @Test
    void requireGpuWithTheCpuProviderIsAConfigurationError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DetectorOptions.builder().bundle(SharedData.d2goBundle()).requireGpu(true).build());
        assertTrue(e.getMessage().contains("requireGpu") && e.getMessage().contains("cpu"), e.getMessage());
    }
}
