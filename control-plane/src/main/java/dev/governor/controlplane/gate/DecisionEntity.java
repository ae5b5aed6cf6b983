package dev.governor.controlplane.gate;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.ColumnTransformer;

import java.time.OffsetDateTime;
import java.util.UUID;

/** One policy decision, kept in the fields of OPA's decision log. Written once, never changed. */
@Entity
@Table(name = "policy_decision")
public class DecisionEntity {

    @Id
    @Column(name = "decision_id")
    public UUID decisionId;

    @Column(name = "proposal_id", nullable = false)
    public String proposalId;

    @Column(nullable = false)
    public String path;

    @Column(name = "bundle_name", nullable = false)
    public String bundleName;

    @Column(name = "bundle_revision", nullable = false)
    public String bundleRevision;

    @Column(nullable = false)
    public String engine;

    @Column(nullable = false, columnDefinition = "json")
    @ColumnTransformer(write = "?::json")
    public String input;

    @Column(name = "input_digest", nullable = false, length = 64)
    public String inputDigest;

    @Column(nullable = false, columnDefinition = "json")
    @ColumnTransformer(write = "?::json")
    public String result;

    @Column(nullable = false)
    public String outcome;

    @Column(nullable = false)
    public String tier;

    @Column(name = "required_approvals", nullable = false)
    public int requiredApprovals;

    @Column(name = "halt_loop", nullable = false)
    public boolean haltLoop;

    @Column(name = "decided_at", nullable = false)
    public OffsetDateTime decidedAt;

    @Column(nullable = false, columnDefinition = "json")
    @ColumnTransformer(write = "?::json")
    public String metrics;
}
