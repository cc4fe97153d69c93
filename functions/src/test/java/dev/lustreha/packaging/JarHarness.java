package dev.lustreha.packaging;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs Lambda handlers the way the Java runtime does: by class name, through their public no-argument
 * constructor (so {@code Production} builds the real clients), with a {@code Context}. It runs in a
 * JVM whose class path is the deployment jar and this class alone, so it refers to nothing of the
 * jar at compile time: every class it touches is looked up by name, as the runtime does, and one
 * that shrinking removed fails here.
 *
 * <p>Protocol, one line each way per invocation. In: the handler's class name, a tab, the event as
 * one line of JSON. Out: {@code OK<tab>output} or {@code ERROR<tab>throwable class<tab>message}
 * (the stack trace goes to standard error, with everything the handlers print).
 */
public final class JarHarness {

    private static final String RUNTIME = "com.amazonaws.services.lambda.runtime.";

    private JarHarness() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        // The handlers write metric lines to standard output (Lambda sends it to CloudWatch Logs):
        // they go to standard error here, so the protocol's channel carries answers only.
        System.setOut(System.err);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Map<String, Object> handlers = new HashMap<>();
        for (String line; (line = in.readLine()) != null; ) {
            int tab = line.indexOf('\t');
            String handlerClass = line.substring(0, tab);
            String event = line.substring(tab + 1);
            try {
                Object handler = handlers.get(handlerClass);
                if (handler == null) {
                    handler = Class.forName(handlerClass).getConstructor().newInstance();
                    handlers.put(handlerClass, handler);
                }
                protocol.println("OK\t" + invoke(handler, event).replace('\n', ' '));
            } catch (Throwable t) {
                Throwable cause = t instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : t;
                System.err.println("JarHarness: " + handlerClass + " failed:");
                cause.printStackTrace();
                protocol.println("ERROR\t" + cause.getClass().getName() + "\t"
                        + String.valueOf(cause.getMessage()).replace('\n', ' '));
            }
        }
    }

    private static String invoke(Object handler, String event) throws Exception {
        Class<?> contextType = Class.forName(RUNTIME + "Context");
        Object context = context(contextType, handler.getClass().getSimpleName());
        Class<?> streamHandler = Class.forName(RUNTIME + "RequestStreamHandler");
        if (streamHandler.isInstance(handler)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            streamHandler.getMethod("handleRequest", InputStream.class, OutputStream.class, contextType)
                    .invoke(handler, new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, context);
            return out.toString(StandardCharsets.UTF_8);
        }
        // A RequestHandler<I, O>: the runtime reads I from the handler's generic supertypes (kept
        // Signature attributes) and fills it from the event's JSON through its setters.
        Class<?> eventType = eventType(handler.getClass(), Class.forName(RUNTIME + "RequestHandler"));
        Class<?> mapperType = Class.forName("com.fasterxml.jackson.databind.ObjectMapper");
        Object mapper = mapperType.getConstructor().newInstance();
        Class<?> mapperFeature = Class.forName("com.fasterxml.jackson.databind.MapperFeature");
        Class<?> deserializationFeature = Class.forName("com.fasterxml.jackson.databind.DeserializationFeature");
        // CloudFormation sends RequestType, ResponseURL, ...; the event class has requestType, responseUrl, ...
        mapperType.getMethod("configure", mapperFeature, boolean.class)
                .invoke(mapper, enumConstant(mapperFeature, "ACCEPT_CASE_INSENSITIVE_PROPERTIES"), true);
        mapperType.getMethod("configure", deserializationFeature, boolean.class)
                .invoke(mapper, enumConstant(deserializationFeature, "FAIL_ON_UNKNOWN_PROPERTIES"), false);
        Object input = mapperType.getMethod("readValue", String.class, Class.class).invoke(mapper, event, eventType);
        Object output = handler.getClass().getMethod("handleRequest", eventType, contextType).invoke(handler, input, context);
        return (String) mapperType.getMethod("writeValueAsString", Object.class).invoke(mapper, output);
    }

    private static Class<?> eventType(Class<?> handlerClass, Class<?> requestHandler) {
        for (Class<?> c = handlerClass; c != null; c = c.getSuperclass()) {
            for (Type t : c.getGenericInterfaces()) {
                if (t instanceof ParameterizedType p && p.getRawType() == requestHandler
                        && p.getActualTypeArguments()[0] instanceof Class<?> event) {
                    return event;
                }
            }
        }
        throw new IllegalStateException(handlerClass.getName() + " is neither a RequestStreamHandler nor a RequestHandler"
                + " with a concrete event type");
    }

    private static Object enumConstant(Class<?> enumType, String name) {
        for (Object constant : enumType.getEnumConstants()) {
            if (((Enum<?>) constant).name().equals(name)) {
                return constant;
            }
        }
        throw new IllegalStateException(enumType.getName() + " has no " + name);
    }

    /** A Context whose logger writes to standard error, as the runtime's writes to the function's log. */
    private static Object context(Class<?> contextType, String functionName) throws ClassNotFoundException {
        Class<?> loggerType = Class.forName(RUNTIME + "LambdaLogger");
        Object logger = Proxy.newProxyInstance(loggerType.getClassLoader(), new Class<?>[] {loggerType},
                (proxy, method, args) -> {
                    if (method.getName().equals("log") && args != null && args.length > 0) {
                        System.err.print(args[0] instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : args[0]);
                    }
                    return null;
                });
        return Proxy.newProxyInstance(contextType.getClassLoader(), new Class<?>[] {contextType},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getLogger" -> logger;
                    case "getAwsRequestId" -> "jar-harness-request";
                    case "getFunctionName", "getLogGroupName", "getLogStreamName" -> functionName;
                    case "getFunctionVersion" -> "$LATEST";
                    case "getInvokedFunctionArn" -> "arn:aws:lambda:us-east-1:123456789012:function:" + functionName;
                    case "getRemainingTimeInMillis" -> 60_000;
                    case "getMemoryLimitInMB" -> 1024;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "JarHarness context of " + functionName;
                    default -> zero(method);
                });
    }

    private static Object zero(Method method) {
        Class<?> r = method.getReturnType();
        return r == boolean.class ? Boolean.FALSE : r.isPrimitive() && r != void.class ? 0 : null;
    }
}
