package dev.governor.controlplane.gate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.governor.controlplane.audit.AuditEventType;
import dev.governor.controlplane.audit.AuditTrail;
import dev.governor.controlplane.killswitch.KillSwitchService;
import dev.governor.controlplane.proposal.Ancestry;
import dev.governor.controlplane.proposal.Proposal;
import dev.governor.controlplane.proposal.ProposalRepository;
import dev.governor.controlplane.proposal.ProposalEntity;
import dev.governor.controlplane.security.Actor;
import dev.governor.killswitch.state.PauseState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import org.hibernate.Session;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What follows a policy decision, in the deciding transaction: the decision is stored (table
 * {@code policy_decision}, written once), audited with what it led to, and, when it halts the
 * loop (a critical capability breach, or the rate-of-improvement limit), trips the kill switch
 * with the proposal as its cause. Intake records first decisions; promotion and the release of
 * held proposals ask for fresh ones through {@link #redecide}.
 */
@ApplicationScoped
public class DecisionRecorder {

    private static final Logger LOG = Logger.getLogger(DecisionRecorder.class);

    private final PolicyGate gate;
    private final DecisionRepository decisions;
    private final CapabilityHistory history;
    private final TamperHistory tamper;
    private final EntityManager em;
    private final AuditTrail audit;
    private final KillSwitchService killSwitch;
    private final ObjectMapper mapper;
    private final Counter trips;

    public DecisionRecorder(PolicyGate gate, DecisionRepository decisions, CapabilityHistory history, TamperHistory tamper,
                            EntityManager em, AuditTrail audit, KillSwitchService killSwitch, ObjectMapper mapper,
                            MeterRegistry registry) {
        this.gate = gate;
        this.decisions = decisions;
        this.history = history;
        this.tamper = tamper;
        this.em = em;
        this.audit = audit;
        this.killSwitch = killSwitch;
        this.mapper = mapper;
        this.trips = Counter.builder("governor.killswitch.trips")
                .description("Policy decisions that tripped the kill switch (critical breach, rate limit, repeated tampering)").register(registry);
    }

    /**
     * What the policy is told beside the proposal, all of it Governor's own: the lineage it counted,
     * the loop's lowest recent scores of proposals not denied, its recent tampering attempts, the kill switch.
     */
    public static PolicyGate.Context context(Ancestry ancestry, Map<String, PolicyGate.CapabilityObservation> lowest,
                                             List<TamperHistory.Attempt> tamperAttempts, PauseState killSwitch) {
        return new PolicyGate.Context(ancestry, List.copyOf(lowest.values()), tamperAttempts, killSwitch.state().name(),
                killSwitch.epoch());
    }

    /**
     * The first decision on a proposal just received: stored, audited with the status it gave the
     * proposal, trips if it halts. A tampering attempt is kept by the caller once the batch is
     * flushed ({@link TamperHistory#record}).
     */
    public DecisionEntity recordFirst(PolicyGate.Decision decision, Proposal proposal, String status) {
        DecisionEntity stored = store(decision);
        auditDecision(decision, proposal.contentDigest(), "status", status);
        tripIfHalting(decision, proposal.loopId());
        return stored;
    }

    /**
     * A fresh policy decision on a stored proposal, in the caller's transaction, stored and audited
     * like the first: after a pause (proposals held while halted) and before a promotion. Its own
     * capability scores are left out of the history it is compared against.
     */
    public DecisionEntity redecide(ProposalEntity p, PauseState killSwitchState, String why) {
        Proposal proposal = Proposal.stored(p, mapper);
        Ancestry ancestry = p.parentId == null ? Ancestry.ROOT : em.unwrap(Session.class).doReturningWork(c ->
                ProposalRepository.ancestryOfChildren(c, new String[] {p.parentId})).getOrDefault(p.parentId, Ancestry.UNKNOWN_PARENT);
        PolicyGate.Decision decision = gate.decide(proposal, context(ancestry, history.lowestExcept(p.loopId, p.proposalId),
                tamper.recentExcept(p.loopId, p.proposalId), killSwitchState));
        DecisionEntity stored = store(decision);
        auditDecision(decision, p.contentDigest, "recheck", why);
        if (decision.tampering()) {
            em.flush();
            tamper.record(List.of(new TamperHistory.Found(p.loopId, p.proposalId, decision.decisionId(), decision.timestamp())));
        }
        tripIfHalting(decision, p.loopId);
        return stored;
    }

    /** The {@code policy.decision} audit entry, with one extra field saying what the decision led to or why it was made. */
    private void auditDecision(PolicyGate.Decision decision, String contentDigest, String extraField, String extraValue) {
        audit.record(AuditEventType.POLICY_DECISION, Actor.SYSTEM, decision.proposalId(), decision.revision(), mapper.createObjectNode()
                .put("decisionId", decision.decisionId().toString())
                .put("path", decision.path())
                .put("inputDigest", decision.inputDigest())
                .put("contentDigest", contentDigest)
                .put("engine", decision.engine())
                .put(extraField, extraValue)
                .set("result", decision.result()));
    }

    /**
     * A decision with {@code haltLoop} (a critical capability breach, or the rate-of-improvement
     * limit) trips the kill switch in the deciding transaction, with the proposal as its cause.
     */
    private void tripIfHalting(PolicyGate.Decision decision, String loopId) {
        if (!decision.haltLoop()) {
            return;
        }
        List<String> why = new ArrayList<>();
        decision.result().path("breaches").forEach(b -> {
            if ("critical".equals(b.path("level").asText())) {
                why.add("critical " + b.path("domain").asText() + " breach");
            }
        });
        decision.result().path("violations").forEach(v -> {
            if ("rate_of_improvement".equals(v.path("rule").asText())) {
                why.add("rate of improvement above the limit");
            }
            if ("repeated_tampering".equals(v.path("rule").asText())) {
                why.add("repeated tampering (" + v.path("message").asText() + ")");
            }
        });
        trips.increment();
        LOG.errorf("ALERT proposal %s of loop %s: %s; tripping the kill switch (decision %s)",
                decision.proposalId(), loopId, String.join(", ", why), decision.decisionId());
        killSwitch.trip(KillSwitchService.POLICY_GATE, decision.proposalId(), String.join(", ", why) + " by proposal "
                + decision.proposalId() + " of loop " + loopId + " (decision " + decision.decisionId() + ")");
    }

    private DecisionEntity store(PolicyGate.Decision decision) {
        DecisionEntity e = new DecisionEntity();
        e.decisionId = decision.decisionId();
        e.proposalId = decision.proposalId();
        e.path = decision.path();
        e.bundleName = decision.bundleName();
        e.bundleRevision = decision.revision();
        e.engine = decision.engine();
        e.input = decision.input().toString();
        e.inputDigest = decision.inputDigest();
        e.result = decision.result().toString();
        e.outcome = decision.outcome();
        e.tier = decision.tier();
        e.requiredApprovals = decision.requiredApprovals();
        e.haltLoop = decision.haltLoop();
        e.decidedAt = decision.timestamp();
        e.metrics = decision.metrics().toString();
        decisions.persist(e);
        return e;
    }
}
