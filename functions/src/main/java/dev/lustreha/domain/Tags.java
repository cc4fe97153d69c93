package dev.lustreha.domain;

/** The tags lustre-ha puts on instances, ENIs and volumes; the instance bootstrap reads them. */
public final class Tags {

    public static final String FILE_SYSTEM = "lustre-ha:file-system";
    public static final String ROLE = "lustre-ha:role";
    public static final String EPOCH = "lustre-ha:epoch";
    public static final String NEEDS_FORMAT = "lustre-ha:needs-format";
    public static final String STANDBY = "lustre-ha:standby";
    /** On a volume: the Lustre target it holds, e.g. scratch-OST0003. */
    public static final String TARGET = "lustre-ha:target";

    private Tags() {
    }
}
