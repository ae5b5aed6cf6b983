package dev.governor.controlplane.promotion;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.governor.controlplane.audit.AuditEventType;
import dev.governor.controlplane.audit.AuditTrail;
import dev.governor.controlplane.config.GovernorConfig;
import dev.governor.controlplane.gate.PolicyActivation;
import dev.governor.controlplane.gate.DecisionEntity;
import dev.governor.controlplane.gate.DecisionRepository;
import dev.governor.controlplane.gate.CapabilityHistory;
import dev.governor.controlplane.gate.DecisionRecorder;
import dev.governor.controlplane.proposal.Proposal;
import dev.governor.controlplane.review.ApprovalStore;
import dev.governor.controlplane.killswitch.KillSwitchService;
import dev.governor.controlplane.proposal.ProposalEntity;
import dev.governor.controlplane.proposal.ProposalRepository;
import dev.governor.controlplane.proposal.ProposalStatus;
import dev.governor.controlplane.security.Actor;
import dev.governor.controlplane.config.Daemons;
import dev.governor.killswitch.state.PauseState;
import dev.governor.killswitch.state.TransitionKind;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.LockModeType;
import org.jboss.logging.Logger;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What waits on the kill switch and the clock: proposals received while halted are decided again
 * once it runs, fully approved proposals that were BLOCKED are promoted after a fresh policy check,
 * and reviews left open past {@code governor.review.pending-ttl} expire. Runs right after a resume
 * commits and every 30 s (so a crash right after a resume delays, never loses, the release).
 */
@ApplicationScoped
public class HeldProposals {

    private static final Logger LOG = Logger.getLogger(HeldProposals.class);
    private static final int BATCH = 50;

    private final KillSwitchService killSwitch;
    private final PolicyActivation policies;
    private final ProposalRepository proposals;
    private final DecisionRepository decisions;
    private final DecisionRecorder recorder;
    private final CapabilityHistory history;
    private final ApprovalStore approvals;
    private final PromotionService promotions;
    private final AuditTrail audit;
    private final ObjectMapper mapper;
    private final GovernorConfig config;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(Daemons.named("governor-held-proposals"));

    public HeldProposals(KillSwitchService killSwitch, ProposalRepository proposals, DecisionRepository decisions,
                         DecisionRecorder recorder, CapabilityHistory history, ApprovalStore approvals, PromotionService promotions, AuditTrail audit, ObjectMapper mapper,
                         GovernorConfig config, PolicyActivation policies) {
        this.killSwitch = killSwitch;
        this.policies = policies;
        this.proposals = proposals;
        this.decisions = decisions;
        this.recorder = recorder;
        this.history = history;
        this.approvals = approvals;
        this.promotions = promotions;
        this.audit = audit;
        this.mapper = mapper;
        this.config = config;
    }

    @PreDestroy
    void stop() {
        worker.shutdownNow();
    }

    void start(@Observes StartupEvent event) {
        killSwitch.onCommitted(t -> {
            if (t.kind() == TransitionKind.RESUMED) {
                worker.execute(this::release);
            }
        });
    }

    @Scheduled(every = "30s", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        release();
        expire();
    }

    /** Releases what the pause held, while the switch runs; stops as soon as it is halted again. */
    public void release() {
        if (!busy.compareAndSet(false, true)) {
            return;
        }
        try {
            int redecided = 0;
            int released = 0;
            while (killSwitch.runs(killSwitch.current())) {
                List<String> held = QuarkusTransaction.requiringNew().call(() -> proposals.find(
                                "status = ?1 and receivedWhilePaused = true order by receivedAt", ProposalStatus.RECEIVED)
                        .page(0, BATCH).list().stream().map(p -> p.proposalId).toList());
                List<String> blocked = QuarkusTransaction.requiringNew().call(() -> proposals.find(
                                "status = ?1 order by updatedAt", ProposalStatus.BLOCKED)
                        .page(0, BATCH).list().stream().map(p -> p.proposalId).toList());
                if (held.isEmpty() && blocked.isEmpty()) {
                    break;
                }
                for (String id : held) {
                    redecided += QuarkusTransaction.requiringNew().call(() -> redecideHeld(id)) ? 1 : 0;
                }
                for (String id : blocked) {
                    released += QuarkusTransaction.requiringNew().call(() -> releaseBlocked(id)) ? 1 : 0;
                }
                if (redecided + released == 0) {
                    break; // halted again meanwhile
                }
            }
            if (redecided + released > 0) {
                LOG.infof("After the resume: %d proposal(s) received while halted decided again, %d blocked proposal(s) released",
                        redecided, released);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "Releasing held proposals failed; the next sweep tries again");
        } finally {
            busy.set(false);
        }
    }

    private boolean redecideHeld(String id) {
        // Locks in the order approvals take them: the proposal, then the kill switch.
        ProposalEntity p = proposals.findById(id, LockModeType.PESSIMISTIC_WRITE);
        if (p == null || p.status != ProposalStatus.RECEIVED) {
            return false;
        }
        PauseState ks = killSwitch.lockForPromotion();
        if (!killSwitch.runs(ks) || !policies.inForce()) {
            return false;
        }
        DecisionEntity fresh = recorder.redecide(p, ks, "held when received (kill switch halted, or the policy revision in force "
                + "not yet usable here); decided again");
        if (!"DENY".equals(fresh.outcome)) {
            // Its scores join the loop's history now that it is in review (intake keeps held ones out).
            history.record(List.of(Proposal.stored(p, mapper)), OffsetDateTime.now(ZoneOffset.UTC));
        }
        p.decisionId = fresh.decisionId;
        p.status = "DENY".equals(fresh.outcome) ? ProposalStatus.REJECTED_BY_POLICY : ProposalStatus.PENDING_REVIEW;
        p.updatedAt = OffsetDateTime.now(ZoneOffset.UTC);
        audit.record(AuditEventType.PROPOSAL_REDECIDED, Actor.SYSTEM, id, fresh.bundleRevision, mapper.createObjectNode()
                .put("decisionId", fresh.decisionId.toString()).put("status", p.status.name()).put("killSwitchEpoch", ks.epoch()));
        return true;
    }

    private boolean releaseBlocked(String id) {
        ProposalEntity p = proposals.findById(id, LockModeType.PESSIMISTIC_WRITE);
        if (p == null || p.status != ProposalStatus.BLOCKED) {
            return false;
        }
        DecisionEntity approved = decisions.findById(p.decisionId);
        List<ApprovalStore.Recorded> counted = approvals.counted(new ApprovalStore.Subject(p.proposalId, p.decisionId, p.contentDigest));
        if (counted.size() < approved.requiredApprovals) {
            // Approvals lapsed while blocked: back to review for fresh ones.
            p.status = ProposalStatus.PENDING_REVIEW;
            p.updatedAt = OffsetDateTime.now(ZoneOffset.UTC);
            audit.record(AuditEventType.PROPOSAL_RETURNED_TO_REVIEW, Actor.SYSTEM, id, approved.bundleRevision, mapper.createObjectNode()
                    .put("reason", "approvals expired while the proposal was blocked").put("counted", counted.size())
                    .put("required", approved.requiredApprovals));
            return true;
        }
        return promotions.promote(p, counted, approved.requiredApprovals, "released after the resume") != ProposalStatus.BLOCKED;
    }

    /** Reviews open longer than the pending TTL expire; an expired proposal is never promoted. */
    void expire() {
        OffsetDateTime cutoff = OffsetDateTime.now(ZoneOffset.UTC).minus(config.review().pendingTtl());
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                for (ProposalEntity p : proposals.find("status = ?1 and receivedAt < ?2", ProposalStatus.PENDING_REVIEW, cutoff)
                        .withLock(LockModeType.PESSIMISTIC_WRITE).page(0, 200).list()) {
                    p.status = ProposalStatus.EXPIRED;
                    p.updatedAt = OffsetDateTime.now(ZoneOffset.UTC);
                    audit.record(AuditEventType.PROPOSAL_EXPIRED, Actor.SYSTEM, p.proposalId, null, mapper.createObjectNode()
                            .put("pendingTtl", config.review().pendingTtl().toString()).put("receivedAt", p.receivedAt.toString()));
                }
            });
        } catch (RuntimeException e) {
            LOG.errorf(e, "Expiring open reviews failed; the next sweep tries again");
        }
    }
}
