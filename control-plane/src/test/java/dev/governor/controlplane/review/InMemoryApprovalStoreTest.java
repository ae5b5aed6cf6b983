package dev.governor.controlplane.review;

import java.time.Clock;
import java.util.UUID;

/** The approval contract on the in-memory twin. */
class InMemoryApprovalStoreTest extends ApprovalStoreContract {

    private final InMemoryApprovalStore store = new InMemoryApprovalStore(Clock.systemUTC());

    @Override
    protected ApprovalStore store() {
        return store;
    }

    @Override
    protected ApprovalStore.Subject newSubject() {
        return new ApprovalStore.Subject("p-" + UUID.randomUUID(), UUID.randomUUID(), "a".repeat(64));
    }

    @Override
    protected ApprovalStore.Subject redecided(ApprovalStore.Subject subject) {
        return new ApprovalStore.Subject(subject.proposalId(), UUID.randomUUID(), subject.contentDigest());
    }
}
