package dev.lustreha.local;

/** The one region and account every ARN of the local cloud names. */
public final class LocalAccount {

    public static final String REGION = "us-east-1";

    /** The placeholder account id AWS's own local tools use. */
    public static final String ACCOUNT_ID = "000000000000";

    private LocalAccount() {
    }
}
