package dev.lustreha.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * The SnapStart hooks, run through {@code org.crac} itself: Surefire points org.crac at the test
 * CRaC implementation ({@code dev.lustreha.cractest}), whose {@code checkpointRestore()} runs the
 * registered resources' beforeCheckpoint and afterRestore as Lambda's runtime does around a
 * snapshot.
 */
class PrimingTest {

    private static final String[] PRIMED_CLASSES = {
        "software.amazon.awssdk.services.dynamodb.transform.QueryRequestMarshaller",
        "software.amazon.awssdk.services.dynamodb.transform.UpdateItemRequestMarshaller",
        "software.amazon.awssdk.services.ec2.transform.DescribeInstancesRequestMarshaller",
        "software.amazon.awssdk.services.ec2.transform.AttachVolumeRequestMarshaller",
        "software.amazon.awssdk.services.autoscaling.transform.CompleteLifecycleActionRequestMarshaller",
        "software.amazon.awssdk.services.sfn.transform.StartExecutionRequestMarshaller",
        "software.amazon.awssdk.http.auth.aws.internal.signer.DefaultAwsV4HttpSigner",
    };

    @Test
    void theHooksAreRegisteredWithOrgCracAndRunAroundTheSnapshot() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        Priming.add("probe", ran::incrementAndGet);
        int restoresBefore = Priming.restores();
        assertTrue(dev.lustreha.cractest.Core.registered() >= 1, "Priming registered with the CRaC implementation");

        // org.crac holds a resource weakly: the hooks must survive a collection before the snapshot.
        System.gc();
        org.crac.Core.checkpointRestore();

        assertEquals(1, ran.get(), "the primer ran once, before the checkpoint");
        assertTrue(Priming.ran().contains("probe"), Priming.ran().toString());
        assertEquals(restoresBefore + 1, Priming.restores(), "afterRestore ran");
    }

    @Test
    void thePrimersMakeEachClientsRequestsWithoutLeavingTheProcess() throws Exception {
        Method findLoaded = ClassLoader.class.getDeclaredMethod("findLoadedClass", String.class);
        findLoaded.setAccessible(true);
        ClassLoader loader = getClass().getClassLoader();
        for (String name : PRIMED_CLASSES) {
            assertNull(findLoaded.invoke(loader, name), name + " is not loaded before priming");
        }
        AtomicReference<List<String>> dynamo = new AtomicReference<>();
        AtomicReference<List<String>> compute = new AtomicReference<>();
        AtomicReference<List<String>> workflows = new AtomicReference<>();
        AtomicBoolean json = new AtomicBoolean();
        AtomicBoolean http = new AtomicBoolean();
        Priming.add("json", () -> json.set(Primers.json()));
        Priming.add("http", () -> http.set(Primers.httpClasses()));
        Priming.add("dynamodb", () -> dynamo.set(Primers.dynamo(Region.EU_WEST_1, "Roles", "Resources", "History")));
        Priming.add("ec2+autoscaling", () -> compute.set(Primers.compute(Region.EU_WEST_1)));
        Priming.add("sfn", () -> workflows.set(Primers.workflows(Region.EU_WEST_1)));

        org.crac.Core.checkpointRestore();

        assertTrue(Priming.ran().containsAll(List.of("json", "http", "dynamodb", "ec2+autoscaling", "sfn")),
                Priming.ran().toString());
        assertTrue(json.get(), "the execution state survives the JSON round trip");
        assertTrue(http.get());
        // Each request went through endpoint resolution (the region's real host) and SigV4 signing,
        // and was answered by the priming HTTP client: none is marked unsigned.
        assertEquals(List.of(
                "dynamodb.eu-west-1.amazonaws.com Query",
                "dynamodb.eu-west-1.amazonaws.com Query",
                "dynamodb.eu-west-1.amazonaws.com Query",
                "dynamodb.eu-west-1.amazonaws.com GetItem",
                "dynamodb.eu-west-1.amazonaws.com GetItem",
                "dynamodb.eu-west-1.amazonaws.com UpdateItem",
                "dynamodb.eu-west-1.amazonaws.com UpdateItem",
                "dynamodb.eu-west-1.amazonaws.com PutItem"), dynamo.get());
        assertEquals(List.of(
                "ec2.eu-west-1.amazonaws.com DescribeInstances",
                "ec2.eu-west-1.amazonaws.com DescribeVolumes",
                "ec2.eu-west-1.amazonaws.com DescribeNetworkInterfaces",
                "ec2.eu-west-1.amazonaws.com DescribeNetworkInterfaces",
                "autoscaling.eu-west-1.amazonaws.com DescribeAutoScalingInstances",
                "autoscaling.eu-west-1.amazonaws.com DescribeAutoScalingGroups",
                "ec2.eu-west-1.amazonaws.com StopInstances",
                "ec2.eu-west-1.amazonaws.com DetachVolume",
                "ec2.eu-west-1.amazonaws.com DetachNetworkInterface",
                "ec2.eu-west-1.amazonaws.com AttachVolume",
                "ec2.eu-west-1.amazonaws.com AttachNetworkInterface",
                "ec2.eu-west-1.amazonaws.com CreateTags",
                "autoscaling.eu-west-1.amazonaws.com CompleteLifecycleAction"), compute.get());
        assertEquals(List.of(
                "states.eu-west-1.amazonaws.com StartExecution",
                "states.eu-west-1.amazonaws.com ListExecutions"), workflows.get());
        for (String name : PRIMED_CLASSES) {
            assertNotNull(findLoaded.invoke(loader, name), name + " is loaded after priming");
        }
    }
}
