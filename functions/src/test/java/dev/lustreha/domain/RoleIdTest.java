package dev.lustreha.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RoleIdTest {

    @Test
    void parsesAndPrintsEachType() {
        assertEquals(new RoleId(RoleType.MGS, 1), RoleId.parse("mgs"));
        assertEquals(new RoleId(RoleType.MDS, 1), RoleId.parse("mds01"));
        assertEquals(new RoleId(RoleType.OSS, 12), RoleId.parse("oss12"));
        assertEquals(new RoleId(RoleType.OSS, 100), RoleId.parse("oss100"));
        assertEquals("mgs", new RoleId(RoleType.MGS, 1).value());
        assertEquals("mds02", new RoleId(RoleType.MDS, 2).value());
        assertEquals("oss100", new RoleId(RoleType.OSS, 100).value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "mgs01", "mds", "oss1", "OSS01", "oss00", "xyz01", "oss01 ", "mds-1", "oss12345"})
    void rejectsWhatIsNotARoleId(String value) {
        assertThrows(IllegalArgumentException.class, () -> RoleId.parse(value));
    }

    @Test
    void rejectsASecondMgs() {
        assertThrows(IllegalArgumentException.class, () -> new RoleId(RoleType.MGS, 2));
    }

    @Test
    void ordersByStartOrderThenIndex() {
        List<RoleId> ids = new ArrayList<>(List.of(RoleId.parse("oss10"), RoleId.parse("oss02"),
                RoleId.parse("mds01"), RoleId.parse("mgs"), RoleId.parse("oss01")));
        Collections.sort(ids);
        assertEquals(List.of("mgs", "mds01", "oss01", "oss02", "oss10"), ids.stream().map(RoleId::value).toList());
    }
}
