package dev.governor.controlplane.review;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link ApprovalStore} must do, above all which approvals count; run against the
 * in-memory twin ({@link InMemoryApprovalStoreTest}) and against PostgreSQL ({@link PostgresApprovalStoreIT}).
 */
abstract class ApprovalStoreContract {

    /** The store under test. */
    protected abstract ApprovalStore store();

    /** A proposal the store may hold approvals of, at a decision and digest of its own. */
    protected abstract ApprovalStore.Subject newSubject();

    /** Another decision on the same proposal (a recheck). */
    protected abstract ApprovalStore.Subject redecided(ApprovalStore.Subject subject);

    /** Runs {@code work} in one transaction where the store needs one. */
    protected void inTransaction(Runnable work) {
        work.run();
    }

    private static final OffsetDateTime NOW = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);

    private void approve(ApprovalStore.Subject subject, String who, OffsetDateTime at, Duration validFor) {
        inTransaction(() -> store().record(subject, "sub-" + who, who + " (sub-" + who + ")", "ok by " + who, at, at.plus(validFor)));
    }

    @Test
    void anUnexpiredApprovalOfTheDecisionAndDigestCounts() {
        ApprovalStore.Subject s = newSubject();
        approve(s, "alice", NOW, Duration.ofHours(24));

        List<ApprovalStore.Recorded> counted = store().counted(s);

        assertThat(counted).singleElement().satisfies(a -> {
            assertThat(a.approverSubject()).isEqualTo("sub-alice");
            assertThat(a.approver()).isEqualTo("alice (sub-alice)");
            assertThat(a.comment()).isEqualTo("ok by alice");
            assertThat(a.approvedAt().toInstant()).isEqualTo(NOW.toInstant());
            assertThat(a.decisionId()).isEqualTo(s.decisionId());
            assertThat(a.counts()).isTrue();
        });
    }

    @Test
    void anExpiredApprovalIsListedButDoesNotCount() {
        ApprovalStore.Subject s = newSubject();
        approve(s, "alice", NOW.minusHours(25), Duration.ofHours(24));
        approve(s, "bob", NOW, Duration.ofHours(24));

        List<ApprovalStore.Recorded> all = store().approvals(List.of(s)).get(s.proposalId());

        assertThat(all).extracting(ApprovalStore.Recorded::approverSubject).containsExactly("sub-alice", "sub-bob");
        assertThat(all).extracting(ApprovalStore.Recorded::counts).containsExactly(false, true);
        assertThat(store().counted(s)).extracting(ApprovalStore.Recorded::approverSubject).containsExactly("sub-bob");
    }

    @Test
    void anApprovalOfAnEarlierDecisionDoesNotCountForTheNewOne() {
        ApprovalStore.Subject first = newSubject();
        approve(first, "alice", NOW, Duration.ofHours(24));
        ApprovalStore.Subject recheck = redecided(first);

        assertThat(store().counted(recheck)).isEmpty();
        assertThat(store().approvals(List.of(recheck))).doesNotContainKey(first.proposalId());
        assertThat(store().counted(first)).hasSize(1);
    }

    @Test
    void anApprovalOfOtherContentDoesNotCount() {
        ApprovalStore.Subject s = newSubject();
        approve(s, "alice", NOW, Duration.ofHours(24));
        ApprovalStore.Subject otherDigest = new ApprovalStore.Subject(s.proposalId(), s.decisionId(), "f".repeat(64));

        assertThat(store().counted(otherDigest)).isEmpty();
        assertThat(store().approvals(List.of(otherDigest)).get(s.proposalId()))
                .singleElement().extracting(ApprovalStore.Recorded::counts).isEqualTo(false);
    }

    @Test
    void onePersonCountsOnceAndApprovingAgainRenewsTheirApproval() {
        ApprovalStore.Subject s = newSubject();
        approve(s, "alice", NOW.minusHours(25), Duration.ofHours(24));
        assertThat(store().counted(s)).isEmpty();

        approve(s, "alice", NOW, Duration.ofHours(24));

        assertThat(store().approvals(List.of(s)).get(s.proposalId())).singleElement().satisfies(a -> {
            assertThat(a.counts()).isTrue();
            assertThat(a.approvedAt().toInstant()).isEqualTo(NOW.toInstant());
            assertThat(a.expiresAt().toInstant()).isEqualTo(NOW.plusHours(24).toInstant());
        });
    }

    @Test
    void approvalsOfSeveralProposalsComeBackInOneCallOldestFirst() {
        ApprovalStore.Subject a = newSubject();
        ApprovalStore.Subject b = newSubject();
        ApprovalStore.Subject none = newSubject();
        approve(a, "bob", NOW.minusMinutes(1), Duration.ofHours(1));
        approve(a, "alice", NOW.minusMinutes(2), Duration.ofHours(1));
        approve(b, "carol", NOW, Duration.ofHours(1));

        Map<String, List<ApprovalStore.Recorded>> read = store().approvals(List.of(a, b, none));

        assertThat(read).containsOnlyKeys(a.proposalId(), b.proposalId());
        assertThat(read.get(a.proposalId())).extracting(ApprovalStore.Recorded::approverSubject).containsExactly("sub-alice", "sub-bob");
        assertThat(read.get(b.proposalId())).extracting(ApprovalStore.Recorded::approverSubject).containsExactly("sub-carol");
    }

    @Test
    void aProposalNotYetDecidedHasNoApprovals() {
        ApprovalStore.Subject undecided = new ApprovalStore.Subject("never-decided-" + UUID.randomUUID(), null, "e".repeat(64));

        assertThat(store().approvals(List.of(undecided))).isEmpty();
        assertThat(store().counted(undecided)).isEmpty();
    }
}
