package dev.lustreha.local.lambda;

import dev.lustreha.local.LocalAccount;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Lambda function as the Invoke API names it: a plain name, a partial ARN
 * ({@code 000000000000:function:Name}) or a full ARN, each with an optional version or alias qualifier.
 *
 * @param region the function's region; the local account's for a plain name
 * @param accountId the function's account; the local account's for a plain name
 * @param name the function name; locally, the template's logical id of the function
 * @param qualifier a version or alias ({@code live}), when the caller named one
 */
public record FunctionName(String region, String accountId, String name, Optional<String> qualifier) {

    // The shapes the Invoke API accepts for FunctionName, with Qualifier folded in.
    private static final Pattern SHAPE = Pattern.compile(
            "(?:arn:aws:lambda:(?<region>[a-z0-9-]+):(?<arnAccount>\\d{12}):function:|(?<account>\\d{12}):function:)?"
                    + "(?<name>[A-Za-z0-9_-]{1,64})(?::(?<qualifier>\\$LATEST|[A-Za-z0-9_-]{1,128}))?");

    public FunctionName {
        if (region == null || accountId == null || name == null || qualifier == null) {
            throw new IllegalArgumentException("a function name needs a region, an account and a name");
        }
    }

    /** The unqualified function {@code name} of the local account. */
    public static FunctionName local(String name) {
        return new FunctionName(LocalAccount.REGION, LocalAccount.ACCOUNT_ID, name, Optional.empty());
    }

    /** The function {@code name} of the local account, qualified by a version or alias. */
    public static FunctionName local(String name, String qualifier) {
        return new FunctionName(LocalAccount.REGION, LocalAccount.ACCOUNT_ID, name, Optional.of(qualifier));
    }

    /**
     * Reads a FunctionName as the Invoke API receives it.
     *
     * @throws IllegalArgumentException when it has none of the accepted shapes
     */
    public static FunctionName parse(String functionName) {
        Matcher m = SHAPE.matcher(functionName);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a Lambda function name or ARN: " + functionName);
        }
        String region = m.group("region") != null ? m.group("region") : LocalAccount.REGION;
        String account = m.group("arnAccount") != null ? m.group("arnAccount")
                : m.group("account") != null ? m.group("account") : LocalAccount.ACCOUNT_ID;
        return new FunctionName(region, account, m.group("name"), Optional.ofNullable(m.group("qualifier")));
    }

    /** The function's ARN, qualified when this name is. */
    public String arn() {
        return "arn:aws:lambda:" + region + ":" + accountId + ":function:" + name + qualifier.map(q -> ":" + q).orElse("");
    }

    public boolean isLocal() {
        return LocalAccount.REGION.equals(region) && LocalAccount.ACCOUNT_ID.equals(accountId);
    }
}
