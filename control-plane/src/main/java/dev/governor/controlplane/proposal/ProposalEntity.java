package dev.governor.controlplane.proposal;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.ColumnTransformer;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A proposal's row; stays inside this feature, the API speaks {@link ProposalView}. */
@Entity
@Table(name = "proposal")
public class ProposalEntity {

    @Id
    @Column(name = "proposal_id")
    public String proposalId;

    @Column(name = "loop_id", nullable = false)
    public String loopId;

    @Column(name = "source_system", nullable = false)
    public String sourceSystem;

    @Column(nullable = false)
    public String kind;

    @Column(name = "content_digest", nullable = false, length = 64)
    public String contentDigest;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public ProposalStatus status;

    @Column(nullable = false)
    public String source;

    @Column(name = "event_time")
    public OffsetDateTime eventTime;

    @Column(nullable = false, columnDefinition = "json")
    @ColumnTransformer(write = "?::json")
    public String data;

    @Column(name = "received_at", nullable = false)
    public OffsetDateTime receivedAt;

    @Column(name = "received_while_paused", nullable = false)
    public boolean receivedWhilePaused;

    /** Subject of the authenticated caller when submitted through the API; null when written to Kafka directly. */
    @Column(name = "submitted_by")
    public String submittedBy;

    /** The key whose signature identified the sender (a loop's key, or Governor's API key). */
    @Column(name = "signing_key_id")
    public String signingKeyId;

    /** The DSSE envelope as received: its payload is the exact bytes that were signed. */
    @Column(name = "envelope")
    public String envelope;

    @Column(name = "kafka_partition")
    public Integer kafkaPartition;

    @Column(name = "kafka_offset")
    public Long kafkaOffset;

    @Column(name = "trace_id")
    public String traceId;

    /** The proposal this one was derived from, as the loop named it; null for a root. */
    @Column(name = "parent_id")
    public String parentId;

    @Column(name = "decision_id")
    public UUID decisionId;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;
}
