package org.visionstream.operators.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code all} stands for every class wherever class names are given (command line, properties file, builder). */
class DetectorOptionsTest {

    private static DetectorOptions.Builder builder() {
        return DetectorOptions.builder().bundle(Path.of("bundle"));
    }

    @Test
    void allIsEveryClassLikeNoNames() {
        assertTrue(builder().classes(List.of("all")).build().classes().isEmpty());
        assertTrue(builder().classes(List.of()).build().classes().isEmpty());
        assertEquals(Set.of("car", "bus"), builder().classes(List.of("car", "bus")).build().classes());
    }

    @Test
    void allWithOtherNamesIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> builder().classes(List.of("car", "all")));
        assertTrue(e.getMessage().contains("cannot be combined"), e.getMessage());
    }
}
