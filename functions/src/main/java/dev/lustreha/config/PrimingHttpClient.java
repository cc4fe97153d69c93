package dev.lustreha.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * The HTTP client of the priming clients: it answers every request itself, with an empty success
 * document of the request's protocol ({@code {}} for the JSON services, DynamoDB and Step
 * Functions; {@code <ActionResponse><ActionResult/></ActionResponse>} for the query services, EC2
 * and Auto Scaling), and never opens a connection. A request gets here only after the SDK has
 * resolved its endpoint, marshalled and signed it, which is what priming is for. It records each
 * request as {@code <host> <operation>}, with " unsigned" appended when it lacked a SigV4
 * signature.
 */
final class PrimingHttpClient implements SdkHttpClient {

    private final List<String> requests = new ArrayList<>();

    /** The requests answered so far. */
    synchronized List<String> requests() {
        return List.copyOf(requests);
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                return answer(request);
            }

            @Override
            public void abort() {
                // Nothing in flight: the answer is made in call().
            }
        };
    }

    private HttpExecuteResponse answer(HttpExecuteRequest request) throws IOException {
        SdkHttpRequest http = request.httpRequest();
        String signature = http.firstMatchingHeader("Authorization").filter(a -> a.startsWith("AWS4-HMAC-SHA256"))
                .isPresent() ? "" : " unsigned";
        String target = http.firstMatchingHeader("X-Amz-Target").orElse(null);
        String body;
        String type;
        String operation;
        if (target != null) {
            operation = target.substring(target.indexOf('.') + 1);
            body = "{}";
            type = "application/x-amz-json-1.0";
        } else {
            operation = action(request);
            body = "<" + operation + "Response><" + operation + "Result/></" + operation + "Response>";
            type = "text/xml";
        }
        synchronized (this) {
            requests.add(http.host() + " " + operation + signature);
        }
        return HttpExecuteResponse.builder()
                .response(SdkHttpResponse.builder().statusCode(200).putHeader("Content-Type", type)
                        .putHeader("x-amzn-RequestId", "priming").build())
                .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))))
                .build();
    }

    /** The {@code Action} parameter of a query-protocol request's form body. */
    private static String action(HttpExecuteRequest request) throws IOException {
        if (request.contentStreamProvider().isEmpty()) {
            return "Unknown";
        }
        String form;
        try (InputStream in = request.contentStreamProvider().get().newStream()) {
            form = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String pair : form.split("&")) {
            if (pair.startsWith("Action=")) {
                return URLDecoder.decode(pair.substring("Action=".length()), StandardCharsets.UTF_8);
            }
        }
        return "Unknown";
    }

    @Override
    public void close() {
        // No connections, nothing to release.
    }

    @Override
    public String clientName() {
        return "Priming";
    }
}
