package dev.lustreha.trigger;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reading EventBridge events defensively: any field may be missing, of the wrong type, or hostile. */
final class Events {

    static final Pattern INSTANCE_ID = Pattern.compile("i-[0-9a-f]{8,17}");
    static final Pattern TOKEN = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** Auto Scaling group and hook names: 1-255 characters, no control characters. */
    private static final Pattern NAME = Pattern.compile("[\\p{Graph} ]{1,255}");

    private Events() {
    }

    /** A text field, or empty when absent, null, not text, or blank. */
    static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            return Optional.empty();
        }
        return Optional.of(v.asText());
    }

    /** An optional field that is present (even as null) but not non-blank text: absent is fine, this is not. */
    static boolean malformed(JsonNode node, String field) {
        return node.has(field) && text(node, field).isEmpty();
    }

    static boolean isName(String s) {
        return NAME.matcher(s).matches();
    }
}
