package dev.lustreha.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class FileSystemNameTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "scratch", "lustre_1", "ABCDEFGH"})
    void acceptsLustreFsnames(String name) {
        assertEquals(name, new FileSystemName(name).value());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"scratch01", "1scratch", "_x", "scr-tch", "scr tch", "scrätch", "a.b"})
    void rejectsWhatLustreOrOurLabelsCannotTake(String name) {
        assertThrows(IllegalArgumentException.class, () -> new FileSystemName(name));
    }
}
