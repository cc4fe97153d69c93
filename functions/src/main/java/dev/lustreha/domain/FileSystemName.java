package dev.lustreha.domain;

import java.util.regex.Pattern;

/**
 * A Lustre file system name (fsname): 1 to 8 characters. Lustre stores it in every target label
 * ({@code scratch-OST0001}) and limits it to 8; we also require a leading letter and no '-', whose
 * use as the label separator makes such names ambiguous to tools that split labels.
 */
public record FileSystemName(String value) {

    /** The same rule as the template's FileSystemName parameter. */
    public static final String PATTERN = "[A-Za-z][A-Za-z0-9_]{0,7}";
    private static final Pattern VALID = Pattern.compile(PATTERN);

    public FileSystemName {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("not a Lustre fsname: '" + value
                    + "' (1-8 characters: a letter, then letters, digits or '_')");
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
