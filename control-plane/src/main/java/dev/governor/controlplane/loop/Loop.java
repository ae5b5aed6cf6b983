package dev.governor.controlplane.loop;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A registered loop: who may speak for it and who may never approve its proposals.
 *
 * @param owners     stable subjects of the people responsible for the loop; never its approvers
 * @param submitters stable subjects allowed to submit for it over HTTP
 * @param keys       its proposal-signing keys, current and past
 */
public record Loop(String loopId, String sourceSystem, String displayName, List<String> owners, List<String> submitters,
                   Status status, String registeredBy, OffsetDateTime registeredAt, String updatedBy, OffsetDateTime updatedAt,
                   long revision, List<LoopKey> keys) {

    public enum Status { ACTIVE, DISABLED }

    public Loop {
        owners = List.copyOf(owners);
        submitters = List.copyOf(submitters);
        keys = List.copyOf(keys);
    }

    public boolean active() {
        return status == Status.ACTIVE;
    }

    public boolean ownedBy(String subject) {
        return owners.contains(subject);
    }

    public boolean allowsSubmitter(String subject) {
        return submitters.contains(subject);
    }

    Loop withKeys(List<LoopKey> keys) {
        return new Loop(loopId, sourceSystem, displayName, owners, submitters, status, registeredBy, registeredAt, updatedBy, updatedAt,
                revision, keys);
    }
}
