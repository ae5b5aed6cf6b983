package dev.governor.auditor.promotion;

/**
 * A record on {@code rsi.promotions} is not to be acted on. {@link #code()} is a short stable
 * reason for machines; the message says what was wrong for people.
 *
 * <ul>
 * <li>{@code not-envelope}: not a DSSE envelope in JSON (e.g. a hand-made record)</li>
 * <li>{@code unsigned}: an envelope without signatures</li>
 * <li>{@code unknown-key}: signed, but by no key this verifier trusts</li>
 * <li>{@code bad-signature}: names the trusted key, but its signature does not verify (edited payload)</li>
 * <li>{@code wrong-payload-type}, {@code not-a-promotion}: signed, but not a Governor promotion statement</li>
 * <li>{@code halted}: the kill switch is not RUNNING now</li>
 * <li>{@code stale-epoch}: attested at another kill-switch epoch than the current one (a replay from before a pause)</li>
 * <li>{@code bad-checkpoint}: the checkpoint is not signed by the log's key for its origin</li>
 * <li>{@code not-in-log}: the inclusion proof does not lead from the audit entry to the checkpoint's root</li>
 * <li>{@code entry-mismatch}: the proven audit entry records another promotion, artifact or epoch</li>
 * </ul>
 */
public final class PromotionRefused extends Exception {

    private static final long serialVersionUID = 1L;
    private final String code;

    public PromotionRefused(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }

    @Override
    public String toString() {
        return code + ": " + getMessage();
    }
}
