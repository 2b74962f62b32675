package org.visionstream.operators.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.visionstream.operators.inference.ExecutionProvider.Kind;

class ExecutionProviderTest {

    @Test
    void parsesProvidersAndDevices() {
        assertSame(ExecutionProvider.CPU, ExecutionProvider.parse("CPU"));
        assertEquals(new ExecutionProvider(Kind.CUDA, 0), ExecutionProvider.parse("cuda"));
        assertEquals(new ExecutionProvider(Kind.CUDA, 3), ExecutionProvider.parse(" cuda:3 "));
        assertEquals(new ExecutionProvider(Kind.TENSORRT, 1), ExecutionProvider.parse("tensorrt:1"));
        assertEquals("cuda:2", ExecutionProvider.parse("cuda:0").onDevice(2).toString());
        assertSame(ExecutionProvider.CPU, ExecutionProvider.CPU.onDevice(5));
    }

    @Test
    void rejectsUnknownProvidersAndBadIndices() {
        assertThrows(IllegalArgumentException.class, () -> ExecutionProvider.parse("rocm"));
        assertThrows(IllegalArgumentException.class, () -> ExecutionProvider.parse("cuda:x"));
        assertThrows(IllegalArgumentException.class, () -> ExecutionProvider.parse("cuda:-1"));
        assertThrows(IllegalArgumentException.class, () -> ExecutionProvider.parse("cpu:0"));
    }
}
