package dev.governor.controlplane.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.auditor.promotion.PromotionAttestation;
import dev.governor.auditor.store.AuditEntry;
import dev.governor.auditor.store.AuditLogStore;
import dev.governor.auditor.store.AuditQuery;
import dev.governor.auditor.store.StoredCheckpoint;
import dev.governor.controlplane.audit.AuditEventType;
import dev.governor.controlplane.audit.AuditKeys;
import dev.governor.controlplane.audit.AuditService;
import dev.governor.controlplane.audit.AuditTrail;
import dev.governor.controlplane.audit.CheckpointService;
import dev.governor.controlplane.killswitch.KillSwitchService;
import dev.governor.controlplane.security.Actor;
import dev.governor.killswitch.state.PauseState;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Makes a committed promotion ready to leave, for {@link PromotionRelay} (ADR 0019): the audit
 * entry that records it at the current kill-switch epoch, a checkpoint that covers that entry, and
 * the signed attestation with its inclusion proof.
 */
@ApplicationScoped
public class PromotionReleases {

    private static final Logger LOG = Logger.getLogger(PromotionReleases.class);

    private final KillSwitchService killSwitch;
    private final PromotionAttestations attestations;
    private final CheckpointService checkpoints;
    private final AuditService auditService;
    private final AuditLogStore auditStore;
    private final AuditTrail audit;
    private final AgroalDataSource dataSource;
    private final ObjectMapper mapper;

    public PromotionReleases(KillSwitchService killSwitch, PromotionKeys keys, AuditKeys auditKeys, CheckpointService checkpoints,
                             AuditService auditService, AuditLogStore auditStore, AuditTrail audit, AgroalDataSource dataSource,
                             ObjectMapper mapper) {
        this.killSwitch = killSwitch;
        this.attestations = new PromotionAttestations(keys.signer(), auditKeys.origin());
        this.checkpoints = checkpoints;
        this.auditService = auditService;
        this.auditStore = auditStore;
        this.audit = audit;
        this.dataSource = dataSource;
        this.mapper = mapper;
    }

    /**
     * The signed attestation of a committed promotion at the current epoch, or null while halted.
     * Its audit entry is the promotion's own when the epoch has not changed since; otherwise a
     * {@code promotion.released} entry at the current epoch, appended once (under the kill switch's
     * shared lock) and found again after a crash. The checkpoint is signed now if the log has grown,
     * so it covers the entry.
     */
    PromotionAttestations.Attested attest(UUID promotionId, String proposalId, String payload) throws SQLException {
        JsonNode message = json(payload, "outbox payload of " + promotionId);
        AuditEntry promoted = entry(PromotionAttestation.PROMOTED_ENTRY, promotionId, proposalId, null)
                .orElseThrow(() -> new IllegalStateException("the promotion " + promotionId + " of " + proposalId
                        + " has no audit entry"));
        long promotedAt = json(promoted.leafJson(), "audit entry " + promoted.index()).path("data").path("killSwitchEpoch").asLong(-1);
        PauseState ks = killSwitch.current();
        if (!killSwitch.runs(ks)) {
            return null;
        }
        AuditEntry entry = promoted;
        if (ks.epoch() != promotedAt) {
            Optional<AuditEntry> released = entry(PromotionAttestation.RELEASED_ENTRY, promotionId, proposalId, ks.epoch());
            if (released.isEmpty()) {
                boolean recorded = QuarkusTransaction.requiringNew().call(() -> {
                    PauseState now = killSwitch.lockForPromotion();
                    if (!killSwitch.runs(now) || now.epoch() != ks.epoch()) {
                        return false;
                    }
                    audit.record(AuditEventType.PROMOTION_RELEASED, Actor.SYSTEM, proposalId, message.path("bundleRevision").asText(null),
                            mapper.createObjectNode().put("promotionId", promotionId.toString())
                                    .put("artifactSha256", message.path("artifactSha256").asText())
                                    .put("contentDigest", message.path("contentDigest").asText())
                                    .put("promotedAtEpoch", promotedAt).put("killSwitchEpoch", now.epoch())
                                    .put("reason", "held in the outbox across a kill-switch change; released with the switch RUNNING"));
                    return true;
                });
                if (!recorded) {
                    return null;
                }
                released = entry(PromotionAttestation.RELEASED_ENTRY, promotionId, proposalId, ks.epoch());
            }
            entry = released.orElseThrow(() -> new IllegalStateException("the release of " + promotionId + " was not recorded"));
            LOG.infof("Promotion %s of %s was committed at kill-switch epoch %d and is released at epoch %d (audit entry %d)",
                    promotionId, proposalId, promotedAt, ks.epoch(), entry.index());
        }
        StoredCheckpoint checkpoint = checkpoints.current();
        if (checkpoint.treeHead().size() <= entry.index()) {
            throw new IllegalStateException("no checkpoint covers audit entry " + entry.index() + " yet");
        }
        ObjectNode proof = auditService.inclusion(entry.index(), checkpoint.treeHead().size());
        return attestations.attest(message, promotedAt, ks.epoch(), entry.type(), proof, Instant.now());
    }

    /** The audit entry of this type for this promotion (at this kill-switch epoch, when given). */
    private Optional<AuditEntry> entry(String type, UUID promotionId, String proposalId, Long epoch) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<AuditEntry> entries = auditStore.entries(c, AuditQuery.all().withProposalId(proposalId).withType(type)
                    .page(-1, AuditQuery.MAX_LIMIT));
            for (int i = entries.size() - 1; i >= 0; i--) {
                JsonNode data = json(entries.get(i).leafJson(), "audit entry " + entries.get(i).index()).path("data");
                if (data.path("promotionId").asText().equals(promotionId.toString())
                        && (epoch == null || data.path("killSwitchEpoch").asLong(-1) == epoch)) {
                    return Optional.of(entries.get(i));
                }
            }
            return Optional.empty();
        }
    }

    private JsonNode json(String text, String what) {
        try {
            return mapper.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(what + " is not JSON", e);
        }
    }
}
