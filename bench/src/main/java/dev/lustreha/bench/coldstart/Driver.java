package dev.lustreha.bench.coldstart;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The main of one cold-start run, in a fresh JVM whose classpath is the deployment artifact plus
 * this class: what the Lambda Java runtime does for the first event of a new execution
 * environment. It loads the handler class, calls its public no-arg constructor (the static client
 * initialisation), hands it one event and prints the answer; the launcher times all of it, from
 * spawning the process to the {@code RESPONSE} line.
 *
 * <p>Arguments: {@code ours|baseline <handler class> <event file>}. For {@code baseline} the
 * handler is built by {@code dev.lustreha.bench.baseline.BaselineHandlers} instead (looked up by
 * name, so that a run of ours never loads a baseline class).
 *
 * <p>It loads as little as it can of its own: the event file is read with {@link Files}, the
 * answer printed as bytes. Only a {@link RequestHandler} (the pool provisioner, a CloudFormation
 * custom resource) needs its event decoded into an object, which the Lambda runtime does with its
 * own Jackson; here the artifact's Jackson does it.
 */
public final class Driver {

    private Driver() {
    }

    public static void main(String[] args) throws Exception {
        long mainAt = System.currentTimeMillis();
        long t0 = System.nanoTime();
        String mode = args[0];
        String handlerClass = args[1];
        byte[] event = Files.readAllBytes(Path.of(args[2]));
        PrintStream out = System.out;

        Object handler;
        if (mode.equals("ours")) {
            handler = Class.forName(handlerClass).getConstructor().newInstance();
        } else {
            Method create = Class.forName("dev.lustreha.bench.baseline.BaselineHandlers")
                    .getMethod("create", String.class);
            handler = create.invoke(null, handlerClass);
        }
        long t1 = System.nanoTime();

        ByteArrayOutputStream response = new ByteArrayOutputStream();
        String outcome;
        try {
            invoke(handler, event, response, new BenchContext(handlerClass));
            outcome = "ok";
        } catch (Exception e) {
            // Lambda answers a handler's exception as a function error: still a response.
            outcome = "error " + e.getClass().getName();
            response.write(String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
        }
        long t2 = System.nanoTime();
        out.print("RESPONSE " + outcome + " ");
        out.write(oneLine(response.toByteArray()));
        out.print('\n');
        out.flush();
        // After the measured part: where the time went inside this JVM.
        long spawn = Long.getLong("bench.spawnEpochMillis", mainAt);
        out.println("TIMES jvm=" + (mainAt - spawn) + " init=" + (t1 - t0) / 1_000_000 + " invoke="
                + (t2 - t1) / 1_000_000);
        out.flush();
        // The SDK's and DynamoDB Local's idle threads must not keep the run alive.
        Runtime.getRuntime().halt(0);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void invoke(Object handler, byte[] event, ByteArrayOutputStream response, Context context)
            throws Exception {
        if (handler instanceof RequestStreamHandler stream) {
            stream.handleRequest(new ByteArrayInputStream(event), response, context);
            return;
        }
        RequestHandler typed = (RequestHandler) handler;
        Class<?> input = inputType(handler.getClass());
        // The runtime's serialiser maps CloudFormation's "ResponseURL" to setResponseUrl; case-insensitive names do here.
        Object decoded = com.fasterxml.jackson.databind.json.JsonMapper.builder()
                .enable(com.fasterxml.jackson.databind.MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
                .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build()
                .readValue(event, input);
        Object answer = typed.handleRequest(decoded, context);
        response.write(String.valueOf(answer).getBytes(StandardCharsets.UTF_8));
    }

    /** The event type of a {@code RequestHandler<I, O>}: its {@code handleRequest} that is not a bridge. */
    private static Class<?> inputType(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals("handleRequest") && m.getParameterCount() == 2 && !m.isBridge()) {
                    return m.getParameterTypes()[0];
                }
            }
        }
        throw new IllegalArgumentException(type + " has no handleRequest(I, Context)");
    }

    private static byte[] oneLine(byte[] bytes) {
        byte[] copy = bytes.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] == '\n' || copy[i] == '\r') {
                copy[i] = ' ';
            }
        }
        return copy;
    }
}
