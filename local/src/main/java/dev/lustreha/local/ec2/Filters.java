package dev.lustreha.local.ec2;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.ec2.model.Filter;

/**
 * EC2 Describe filters: a resource matches when, for every filter, one of its values for that
 * filter name matches one of the filter's values ({@code *} and {@code ?} are wildcards, as in
 * EC2). A filter name the simulation does not model is rejected, as EC2 rejects unknown names,
 * so code under test cannot silently rely on a filter that is ignored.
 */
final class Filters {

    private Filters() {
    }

    /**
     * Rejects a filter name the action does not have. EC2 rejects the request itself, so a Describe
     * calls this before looking at any resource: an invalid name fails even when nothing exists.
     */
    static void check(List<Filter> filters, Set<String> supported, boolean tags) {
        for (Filter f : filters) {
            String name = f.name();
            boolean tagFilter = name != null && (name.startsWith("tag:") || name.equals("tag-key"));
            if (name == null || !(supported.contains(name) || (tags && tagFilter))) {
                throw Ec2Errors.invalidParameter("The filter '" + name + "' is invalid");
            }
        }
    }

    /**
     * @param supported the filter names modelled for this resource type ({@code tag:} and
     *     {@code tag-key} are supported too)
     * @param valuesOf the resource's values for a filter name
     */
    static <R> boolean matches(List<Filter> filters, Set<String> supported, R resource,
            BiFunction<R, String, Collection<String>> valuesOf) {
        return matches(filters, supported, true, resource, valuesOf);
    }

    /**
     * As above, for an action whose filters may lack the tag filters (DescribeInstanceStatus has
     * none: EC2 answers {@code tag:Name} there with "The filter 'tag:Name' is invalid").
     */
    static <R> boolean matches(List<Filter> filters, Set<String> supported, boolean tags, R resource,
            BiFunction<R, String, Collection<String>> valuesOf) {
        check(filters, supported, tags);
        for (Filter f : filters) {
            String name = f.name();
            Collection<String> actual = valuesOf.apply(resource, name);
            boolean any = false;
            for (String wanted : f.values()) {
                Pattern p = wildcard(wanted);
                for (String a : actual) {
                    if (a != null && p.matcher(a).matches()) {
                        any = true;
                        break;
                    }
                }
                if (any) {
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    private static Pattern wildcard(String value) {
        StringBuilder regex = new StringBuilder();
        for (char c : value.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
