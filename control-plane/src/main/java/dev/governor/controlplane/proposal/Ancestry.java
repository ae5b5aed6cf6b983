package dev.governor.controlplane.proposal;

/**
 * A proposal's unreviewed lineage as Governor counted it from the {@code parentId} chain it
 * received: the unpromoted generations above the proposal, up to the nearest promoted ancestor or
 * the root. A parent Governor never received counts as one more unreviewed generation, of an
 * ancestry nobody saw ({@code unknown}).
 */
public record Ancestry(int generations, boolean unknown) {

    /** Chains are walked at most this far; any policy limit is far below it. */
    public static final int MAX_WALK = 100;

    public static final Ancestry ROOT = new Ancestry(0, false);

    /** A parent Governor never received. */
    public static final Ancestry UNKNOWN_PARENT = new Ancestry(1, true);

    /** The ancestry of a child of a proposal with this ancestry, that proposal not promoted. */
    public Ancestry child() {
        return new Ancestry(Math.min(generations + 1, MAX_WALK), unknown);
    }
}
