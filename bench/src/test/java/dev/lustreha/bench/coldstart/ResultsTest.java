package dev.lustreha.bench.coldstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ResultsTest {

    @Test
    void theMedianOfAnOddCountIsTheMiddleValue() {
        assertEquals(942, Results.median(new long[] {1303, 808, 841, 942, 975}));
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertEquals(900, Results.median(new long[] {1000, 800, 700, 1200}));
    }

    @Test
    void noRunsHaveNoMedian() {
        assertThrows(IllegalArgumentException.class, () -> Results.median(new long[0]));
    }

    @Test
    void anAnswerIsSummedUpWithoutTheRunsIds() {
        assertEquals("ok action=STARTED", ColdStart.summary(
                "ok {\"action\":\"STARTED\",\"instanceId\":\"i-1ea8c753d3ca9fc95\",\"execution\":\"launch-i-1ea8c753d3\"}"));
        assertEquals("ok claim/outcome=CLAIMED, claim/epoch=2, fence/fenced=true", ColdStart.summary(
                "ok {\"input\":{\"instanceId\":\"i-1\"},\"claim\":{\"outcome\":\"CLAIMED\",\"epoch\":2},"
                        + "\"fence\":{\"fenced\":true,\"holders\":[\"i-2\"]}}"));
        assertEquals("ok alarms=0, ReplaceOwner:REPLACING", ColdStart.summary(
                "ok {\"at\":\"2026-11-21T11:50:38Z\",\"actions\":[{\"action\":\"ReplaceOwner\",\"result\":\"REPLACING\"}],"
                        + "\"alarms\":0}"));
        assertEquals("ok Status = SUCCESS", ColdStart.summary(
                "ok [Status = SUCCESS,NoEcho = false,PhysicalResourceId = lustre-ha-pool-scratch]"));
        assertEquals("error dev.lustreha.errors.StaleEpochException …", ColdStart.summary(
                "error dev.lustreha.errors.StaleEpochException i-0abc"));
    }
}
