package dev.governor.controlplane.intake;

import dev.governor.controlplane.proposal.Proposal;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.controlplane.audit.AuditTrail;
import dev.governor.controlplane.audit.AuditEventType;
import dev.governor.controlplane.gate.DecisionEntity;
import dev.governor.controlplane.gate.DecisionRepository;
import dev.governor.controlplane.gate.PolicyActivation;
import dev.governor.controlplane.gate.PolicyGate;
import dev.governor.controlplane.proposal.ProposalEntity;
import dev.governor.controlplane.proposal.ProposalRepository;
import dev.governor.controlplane.proposal.ProposalStatus;
import dev.governor.controlplane.killswitch.KillSwitchService;
import dev.governor.controlplane.security.Actor;
import dev.governor.controlplane.config.Daemons;
import dev.governor.killswitch.state.PauseState;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.hibernate.Session;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Decides batches of intake records in two steps: {@link #prepare} classifies a batch and starts
 * its policy evaluations, {@link #store} stores it in one transaction (every proposal with its
 * decision and audit entries, every refusal with its audit entry, or none of them). The caller
 * prepares a batch while the one before it is stored, and commits Kafka offsets only after a
 * batch is stored, so a crash anywhere leaves each proposal decided exactly once (ADR 0010).
 */
@ApplicationScoped
public class IntakeService {

    private static final Logger LOG = Logger.getLogger(IntakeService.class);

    private final ProposalRepository proposals;
    private final DecisionRepository decisions;
    private final PolicyGate gate;
    private final AuditTrail audit;
    private final EntityManager em;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;
    private final KillSwitchService killSwitch;
    private final PolicyActivation policies;
    private final Counter received;
    private final Counter duplicates;
    private final Counter haltRequests;
    private final Counter reevaluated;
    private final Timer evaluationWait;
    private final AgroalDataSource dataSource;
    /**
     * Policy evaluations of a batch run here, beside the intake thread: one thread per two cores.
     * A decision takes about 0.1-0.2 ms, so one thread keeps up with far more than the store's
     * rate; and each wasm instance in use is compiled by the JIT on its own (docs/benchmarks.md).
     */
    private final ExecutorService evaluator = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
            Daemons.named("governor-policy-eval"));

    public IntakeService(ProposalRepository proposals, DecisionRepository decisions, PolicyGate gate, AuditTrail audit,
                         EntityManager em, ObjectMapper mapper, MeterRegistry registry, KillSwitchService killSwitch,
                         PolicyActivation policies, AgroalDataSource dataSource) {
        this.dataSource = dataSource;
        this.killSwitch = killSwitch;
        this.policies = policies;
        this.proposals = proposals;
        this.decisions = decisions;
        this.gate = gate;
        this.audit = audit;
        this.em = em;
        this.mapper = mapper;
        this.registry = registry;
        this.received = Counter.builder("governor.intake.proposals").description("Proposals received and decided").register(registry);
        this.duplicates = Counter.builder("governor.intake.duplicates").description("Redelivered or resent proposals, ignored").register(registry);
        this.haltRequests = Counter.builder("governor.killswitch.trips")
                .description("Policy decisions that tripped the kill switch (critical breach, rate limit)").register(registry);
        this.evaluationWait = IntakeConsumer.stageTimer(registry, "await-evaluations", "the store waiting for the batch's policy evaluations");
        this.reevaluated = Counter.builder("governor.intake.reevaluated")
                .description("Proposals decided again because the kill switch changed while their batch was being decided").register(registry);
    }

    @PreDestroy
    void stopEvaluator() {
        evaluator.shutdown();
    }

    /** What the batch left to publish once its transaction has committed. */
    public record Outcome(List<Refusal> refusals, List<DecisionEntity> decisionsToPublish) {
    }

    /** A record for the dead-letter topic, with the reason for its {@code governor-error} header. */
    public record Refusal(IntakeRecord record, String code, String reason, AuditEventType type) {
    }

    /**
     * A batch classified and handed to the policy engine, not yet stored: {@link #prepare} makes it
     * while the batch before it is being stored, {@link #store} stores it. What it decided is what
     * the next batch must count as already received: the proposals it accepted and the lowest
     * scores it saw.
     */
    public static final class Prepared {
        private final OffsetDateTime now;
        private final PauseState halt;
        private final List<Refusal> refusals;
        private final List<String> duplicates;
        private final List<Pending> pending;
        private final List<Future<PolicyGate.Decision>> evaluations;
        /** Proposal id to content digest of every proposal this batch stores. */
        private final Map<String, String> accepted;
        /** Per loop of this batch, the lowest score per domain, its own observations included. */
        private final Map<String, Map<String, PolicyGate.CapabilityObservation>> lowest;

        private Prepared(OffsetDateTime now, PauseState halt, List<Refusal> refusals, List<String> duplicates, List<Pending> pending,
                         List<Future<PolicyGate.Decision>> evaluations, Map<String, String> accepted,
                         Map<String, Map<String, PolicyGate.CapabilityObservation>> lowest) {
            this.now = now;
            this.halt = halt;
            this.refusals = refusals;
            this.duplicates = duplicates;
            this.pending = pending;
            this.evaluations = evaluations;
            this.accepted = accepted;
            this.lowest = lowest;
        }

        /** Stops the evaluations of a batch that will not be stored. */
        public void discard() {
            evaluations.forEach(f -> f.cancel(false));
        }
    }

    /**
     * Classifies a batch and starts its policy evaluations, on the state as committed now plus
     * what {@code unstored} (the batch before it, prepared but not yet committed; null if none)
     * will store. Classification and context are then the same as if {@code unstored} had been
     * committed first: a proposal id it accepts is known, and its scores count towards the
     * lowest of the week (a minimum, so reading the database before or after it commits gives
     * the same). If {@code unstored} is not committed after all, this batch must be discarded too.
     */
    @WithSpan("IntakeService.prepare")
    public Prepared prepare(List<IntakeRecord> batch, Prepared unstored) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        // Decided on the state as committed now, checked again when the batch is stored: while
        // halted, proposals are still received, decided and audited, but held (RECEIVED,
        // received-while-paused) and decided again after the resume.
        PauseState halt = killSwitch.current();
        Map<String, String> known;
        Map<String, Map<String, PolicyGate.CapabilityObservation>> lowest;
        try (Connection c = dataSource.getConnection()) {
            known = existing(c, batch);
            if (unstored != null) {
                unstored.accepted.forEach(known::putIfAbsent);
            }
            String[] loops = batch.stream().filter(r -> !r.isMalformed() && !known.containsKey(r.proposal().proposalId()))
                    .map(r -> r.proposal().loopId()).distinct().toArray(String[]::new);
            lowest = lowestScores(c, loops, null);
            if (unstored != null) {
                for (String loop : loops) {
                    Map<String, PolicyGate.CapabilityObservation> carried = unstored.lowest.get(loop);
                    if (carried != null) {
                        Map<String, PolicyGate.CapabilityObservation> mine = lowest.computeIfAbsent(loop, k -> new HashMap<>());
                        carried.values().forEach(o -> lower(mine, o));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read what the intake batch depends on: " + e.getMessage(), e);
        }

        // In record order: classify, and give each new proposal the context it is decided in
        // (earlier proposals of the same loop in this batch count for the rate rule).
        List<Refusal> refusals = new ArrayList<>();
        List<String> duplicates = new ArrayList<>();
        List<Pending> pending = new ArrayList<>();
        Map<String, String> accepted = new HashMap<>();
        Map<String, Map<String, PolicyGate.CapabilityObservation>> lowestAfter = new HashMap<>();
        for (IntakeRecord record : batch) {
            if (record.isMalformed()) {
                refusals.add(new Refusal(record, record.malformed().code(), record.malformed().reason(), AuditEventType.PROPOSAL_MALFORMED));
                continue;
            }
            Proposal proposal = record.proposal();
            String firstDigest = known.getOrDefault(proposal.proposalId(), accepted.get(proposal.proposalId()));
            if (firstDigest == null) {
                Map<String, PolicyGate.CapabilityObservation> loop = lowest.computeIfAbsent(proposal.loopId(), k -> new HashMap<>());
                pending.add(new Pending(record, proposal, context(proposal, loop, halt)));
                observe(loop, proposal, now);
                lowestAfter.put(proposal.loopId(), loop);
                accepted.put(proposal.proposalId(), proposal.contentDigest());
            } else if (firstDigest.equals(proposal.contentDigest())) {
                duplicates.add(proposal.proposalId());
            } else {
                String reason = "conflict: proposal " + proposal.proposalId() + " was already received with digest "
                        + firstDigest + "; this one has digest " + proposal.contentDigest()
                        + ". A proposal id names one content forever: submit changed content under a new id.";
                refusals.add(new Refusal(record, "conflict", reason, AuditEventType.PROPOSAL_CONFLICT));
            }
        }
        // The policy engine is pure and thread-safe: the batch is evaluated in parallel, while the
        // caller stores the batch before it.
        List<Future<PolicyGate.Decision>> evaluations = submit(pending);
        return new Prepared(now, halt, refusals, duplicates, pending, evaluations, accepted, lowestAfter);
    }

    /**
     * Stores a prepared batch in one transaction: every proposal with its decision and audit
     * entries, every refusal with its audit entry, or none of them. Decisions made on a kill-switch
     * state that has changed since (a pause, or a trip by the batch before) are made again on the
     * state as committed now.
     */
    @Transactional
    @WithSpan("IntakeService.store")
    public Outcome store(Prepared prepared) {
        PauseState halt = killSwitch.current();
        // Held likewise while this instance cannot decide with the policy revision in force (ADR 0007).
        boolean policyInForce = policies.inForce();
        long waitStart = System.nanoTime();
        List<PolicyGate.Decision> decided = await(prepared.evaluations);
        evaluationWait.record(System.nanoTime() - waitStart, TimeUnit.NANOSECONDS);
        if (halt.epoch() != prepared.halt.epoch() || halt.state() != prepared.halt.state()) {
            reevaluated.increment(prepared.pending.size());
            LOG.infof("Kill switch changed to %s (epoch %d) while a batch of %d proposal(s) was being decided; deciding them again",
                    halt.state(), halt.epoch(), prepared.pending.size());
            List<Pending> again = prepared.pending.stream().map(p -> new Pending(p.record(), p.proposal(),
                    new PolicyGate.Context(p.context().generationsSinceLastPromoted(), p.context().capabilityHistory(),
                            halt.state().name(), halt.epoch()))).toList();
            decided = await(submit(again));
        }

        List<DecisionEntity> toPublish = new ArrayList<>();
        for (String id : prepared.duplicates) {
            duplicates.increment();
            ProposalEntity existing = proposals.findById(id);
            if (existing != null && existing.decisionId != null) {
                toPublish.add(decisions.findById(existing.decisionId));
            }
        }
        boolean held = !killSwitch.runs(halt) || !policyInForce; // one state for the whole batch
        for (int i = 0; i < prepared.pending.size(); i++) {
            toPublish.add(store(prepared.pending.get(i), decided.get(i), prepared.now, held));
        }
        em.flush();
        insertObservations(prepared.pending, prepared.now);
        recordRefusals(prepared.refusals);
        return new Outcome(prepared.refusals, toPublish);
    }

    private record Pending(IntakeRecord record, Proposal proposal, PolicyGate.Context context) {
    }

    /** Each proposal's evaluation, on the evaluation threads, in the order given. */
    private List<Future<PolicyGate.Decision>> submit(List<Pending> pending) {
        return pending.stream().map(p -> evaluator.submit(() -> gate.decide(p.proposal(), p.context()))).toList();
    }

    private static List<PolicyGate.Decision> await(List<Future<PolicyGate.Decision>> futures) {
        List<PolicyGate.Decision> out = new ArrayList<>(futures.size());
        for (var f : futures) {
            try {
                out.add(f.get());
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while deciding a batch", e);
            }
        }
        return out;
    }

    /** Proposal id to content digest, for the ids of the batch already stored. */
    private static Map<String, String> existing(Connection c, List<IntakeRecord> batch) throws SQLException {
        String[] ids = batch.stream().filter(r -> !r.isMalformed()).map(r -> r.proposal().proposalId()).distinct()
                .toArray(String[]::new);
        Map<String, String> known = new HashMap<>();
        if (ids.length == 0) {
            return known;
        }
        try (PreparedStatement ps = c.prepareStatement("select proposal_id, content_digest from proposal where proposal_id = any (?)")) {
            ps.setArray(1, c.createArrayOf("text", ids));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    known.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return known;
    }

    /**
     * The lowest score per loop and domain within the last 7 days, leaving out the observations of
     * {@code exceptProposal} (null: none): all the rate-of-improvement rule compares against, so one
     * row per domain stands for any number of earlier proposals.
     */
    private static Map<String, Map<String, PolicyGate.CapabilityObservation>> lowestScores(Connection c, String[] loops,
                                                                                         String exceptProposal)
            throws SQLException {
        Map<String, Map<String, PolicyGate.CapabilityObservation>> lowest = new HashMap<>();
        if (loops.length == 0) {
            return lowest;
        }
        // Each loop's domains, found by skipping along the index from one domain to the next, then
        // per domain the lowest score of the week, the first index entry in score order: a few
        // index probes per loop and domain, however many observations the week holds (V7).
        try (PreparedStatement ps = c.prepareStatement("""
                with recursive domains (loop_id, domain) as (
                    select l.loop_id, d.domain
                      from unnest(?::text[]) as l (loop_id)
                      cross join lateral (select o.domain from capability_observation o
                                           where o.loop_id = l.loop_id order by o.domain limit 1) as d
                    union all
                    select p.loop_id, d.domain
                      from domains p
                      cross join lateral (select o.domain from capability_observation o
                                           where o.loop_id = p.loop_id and o.domain > p.domain
                                           order by o.domain limit 1) as d
                )
                select p.loop_id, p.domain, lowest.score, lowest.observed_at
                  from domains p
                  cross join lateral (select o.score, o.observed_at from capability_observation o
                                       where o.loop_id = p.loop_id and o.domain = p.domain
                                         and o.observed_at > now() - interval '7 days'
                                         and o.proposal_id is distinct from ?
                                       order by o.score, o.observed_at limit 1) as lowest""")) {
            ps.setArray(1, c.createArrayOf("text", loops));
            ps.setString(2, exceptProposal);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lowest.computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(rs.getString(2),
                            new PolicyGate.CapabilityObservation(rs.getString(2), rs.getDouble(3),
                                    rs.getObject(4, OffsetDateTime.class)));
                }
            }
        }
        return lowest;
    }

    /**
     * A fresh policy decision on a stored proposal, in the caller's transaction, stored and audited
     * like the first: after a pause (proposals held while halted) and before a promotion. Its own
     * capability scores are left out of the history it is compared against.
     */
    public DecisionEntity redecide(ProposalEntity p, PauseState killSwitchState, String why) {
        ObjectNode data;
        try {
            data = (ObjectNode) mapper.readTree(p.data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored proposal " + p.proposalId + " is not JSON", e);
        }
        Proposal proposal = new Proposal(p.proposalId, p.source, p.eventTime, data, p.contentDigest, p.submittedBy);
        Map<String, PolicyGate.CapabilityObservation> lowest = em.unwrap(Session.class).doReturningWork(
                c -> lowestScores(c, new String[] {p.loopId}, p.proposalId)).getOrDefault(p.loopId, Map.of());
        PolicyGate.Decision decision = gate.decide(proposal, context(proposal, lowest, killSwitchState));
        DecisionEntity stored = store(decision);
        auditDecision(decision, p.contentDigest, "recheck", why);
        tripOnCriticalBreach(decision, p.loopId);
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
    private void tripOnCriticalBreach(PolicyGate.Decision decision, String loopId) {
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
        });
        haltRequests.increment();
        LOG.errorf("ALERT proposal %s of loop %s: %s; tripping the kill switch (decision %s)",
                decision.proposalId(), loopId, String.join(", ", why), decision.decisionId());
        killSwitch.trip(KillSwitchService.POLICY_GATE, decision.proposalId(), String.join(", ", why) + " by proposal "
                + decision.proposalId() + " of loop " + loopId + " (decision " + decision.decisionId() + ")");
    }

    private static PolicyGate.Context context(Proposal proposal, Map<String, PolicyGate.CapabilityObservation> loop,
                                              PauseState killSwitch) {
        int generations = proposal.data().path("lineage").size();
        return new PolicyGate.Context(generations, List.copyOf(loop.values()), killSwitch.state().name(), killSwitch.epoch());
    }

    private static void observe(Map<String, PolicyGate.CapabilityObservation> loop, Proposal proposal, OffsetDateTime now) {
        for (var eval : proposal.data().path("capabilityEvals")) {
            if (!eval.path("score").isNumber()) {
                continue;
            }
            lower(loop, new PolicyGate.CapabilityObservation(eval.path("domain").asText(), eval.path("score").asDouble(), now));
        }
    }

    private static void lower(Map<String, PolicyGate.CapabilityObservation> loop, PolicyGate.CapabilityObservation o) {
        PolicyGate.CapabilityObservation current = loop.get(o.domain());
        if (current == null || o.score() < current.score()) {
            loop.put(o.domain(), o);
        }
    }

    private DecisionEntity store(Pending p, PolicyGate.Decision decision, OffsetDateTime now, boolean halted) {
        IntakeRecord record = p.record();
        Proposal proposal = p.proposal();
        ProposalEntity entity = new ProposalEntity();
        entity.proposalId = proposal.proposalId();
        entity.loopId = proposal.loopId();
        entity.sourceSystem = proposal.sourceSystem();
        entity.kind = proposal.kind();
        entity.contentDigest = proposal.contentDigest();
        entity.source = proposal.source();
        entity.eventTime = proposal.eventTime();
        entity.data = proposal.data().toString();
        entity.receivedAt = now;
        entity.submittedBy = proposal.submittedBy();
        entity.kafkaPartition = record.partition();
        entity.kafkaOffset = record.offset();
        entity.traceId = record.traceId();
        entity.updatedAt = now;
        entity.decisionId = decision.decisionId();
        entity.receivedWhilePaused = halted;
        entity.status = (halted ? ProposalStatus.RECEIVED
                : decision.denies() ? ProposalStatus.REJECTED_BY_POLICY : ProposalStatus.PENDING_REVIEW).name();
        proposals.persist(entity);
        DecisionEntity stored = store(decision);
        audit.record(AuditEventType.PROPOSAL_RECEIVED, Actor.SYSTEM, proposal.proposalId(), null, mapper.createObjectNode()
                .put("loopId", proposal.loopId())
                .put("sourceSystem", proposal.sourceSystem())
                .put("kind", proposal.kind())
                .put("contentDigest", proposal.contentDigest())
                .put("artifactSha256", proposal.data().path("artifact").path("sha256").asText())
                .put("source", proposal.source())
                .put("submittedBy", proposal.submittedBy())
                .put("kafka", record.position()));
        auditDecision(decision, proposal.contentDigest(), "status", entity.status);
        tripOnCriticalBreach(decision, proposal.loopId());
        received.increment();
        registry.counter("governor.intake.decisions", "outcome", decision.outcome(), "tier", decision.tier()).increment();
        return stored;
    }

    private void insertObservations(List<Pending> pending, OffsetDateTime now) {
        em.unwrap(Session.class).doWork(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into capability_observation (loop_id, domain, score, proposal_id, observed_at) values (?, ?, ?, ?, ?)")) {
                int rows = 0;
                for (Pending p : pending) {
                    for (var eval : p.proposal().data().path("capabilityEvals")) {
                        if (!eval.path("score").isNumber()) {
                            continue;
                        }
                        ps.setString(1, p.proposal().loopId());
                        ps.setString(2, eval.path("domain").asText());
                        ps.setDouble(3, eval.path("score").asDouble());
                        ps.setString(4, p.proposal().proposalId());
                        ps.setObject(5, now);
                        ps.addBatch();
                        rows++;
                    }
                }
                if (rows > 0) {
                    ps.executeBatch();
                }
            }
        });
    }

    /**
     * Records refusals once per Kafka position; a redelivered record goes to the dead-letter topic
     * again (at least once) but is neither audited nor counted twice.
     */
    private void recordRefusals(List<Refusal> refusals) {
        if (refusals.isEmpty()) {
            return;
        }
        // One statement that names the rows it inserted: a position already recorded is not returned.
        Set<String> inserted = new HashSet<>();
        em.unwrap(Session.class).doWork(c -> {
            int n = refusals.size();
            String[] topics = new String[n];
            Integer[] partitions = new Integer[n];
            Long[] offsets = new Long[n];
            String[] keys = new String[n];
            String[] codes = new String[n];
            String[] reasons = new String[n];
            String[] shas = new String[n];
            Integer[] sizes = new Integer[n];
            for (int i = 0; i < n; i++) {
                IntakeRecord r = refusals.get(i).record();
                topics[i] = r.topic();
                partitions[i] = r.partition();
                offsets[i] = r.offset();
                keys[i] = r.key();
                codes[i] = refusals.get(i).code();
                reasons[i] = refusals.get(i).reason();
                shas[i] = r.valueSha256();
                sizes[i] = r.valueBytes();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into intake_rejection (topic, kafka_partition, kafka_offset, record_key, code, reason,
                                                  value_sha256, value_bytes, rejected_at)
                    select t, p, o, k, c, r, s, b, now()
                      from unnest(?::text[], ?::int[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int[])
                           as x (t, p, o, k, c, r, s, b)
                    on conflict do nothing
                    returning topic, kafka_partition, kafka_offset""")) {
                ps.setArray(1, c.createArrayOf("text", topics));
                ps.setArray(2, c.createArrayOf("int4", partitions));
                ps.setArray(3, c.createArrayOf("int8", offsets));
                ps.setArray(4, c.createArrayOf("text", keys));
                ps.setArray(5, c.createArrayOf("text", codes));
                ps.setArray(6, c.createArrayOf("text", reasons));
                ps.setArray(7, c.createArrayOf("text", shas));
                ps.setArray(8, c.createArrayOf("int4", sizes));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        inserted.add(rs.getString(1) + "/" + rs.getInt(2) + "/" + rs.getLong(3));
                    }
                }
            }
        });
        for (Refusal refusal : refusals) {
            IntakeRecord record = refusal.record();
            if (!inserted.contains(record.position())) {
                continue;
            }
            ObjectNode details = mapper.createObjectNode()
                    .put("code", refusal.code())
                    .put("reason", refusal.reason())
                    .put("kafka", record.position())
                    .put("recordKey", record.key())
                    .put("valueSha256", record.valueSha256())
                    .put("valueBytes", record.valueBytes());
            String proposalId = record.proposal() != null ? record.proposal().proposalId() : null;
            audit.record(refusal.type(), Actor.SYSTEM, proposalId, null, details);
            registry.counter("governor.intake.refused", "reason", refusal.code()).increment();
            if (refusal.type() == AuditEventType.PROPOSAL_CONFLICT) {
                LOG.errorf("ALERT conflicting replay of proposal %s (%s)", proposalId, refusal.reason());
            }
        }
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
