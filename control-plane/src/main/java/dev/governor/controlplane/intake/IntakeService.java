package dev.governor.controlplane.intake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.controlplane.audit.AuditEventType;
import dev.governor.controlplane.audit.AuditTrail;
import dev.governor.controlplane.config.Daemons;
import dev.governor.controlplane.gate.CapabilityHistory;
import dev.governor.controlplane.gate.DecisionEntity;
import dev.governor.controlplane.gate.DecisionRecorder;
import dev.governor.controlplane.gate.DecisionRepository;
import dev.governor.controlplane.gate.PolicyActivation;
import dev.governor.controlplane.gate.PolicyGate;
import dev.governor.controlplane.gate.TamperHistory;
import dev.governor.controlplane.killswitch.KillSwitchService;
import dev.governor.controlplane.proposal.Proposal;
import dev.governor.controlplane.proposal.ProposalEntity;
import dev.governor.controlplane.proposal.ProposalRepository;
import dev.governor.controlplane.proposal.ProposalStatus;
import dev.governor.controlplane.security.Actor;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
    private final DecisionRecorder recorder;
    private final CapabilityHistory history;
    private final TamperHistory tamper;
    private final AuditTrail audit;
    private final EntityManager em;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;
    private final KillSwitchService killSwitch;
    private final PolicyActivation policies;
    private final AgroalDataSource dataSource;
    private final Counter received;
    private final Counter duplicates;
    private final Counter reevaluated;
    private final Timer evaluationWait;
    /**
     * Policy evaluations of a batch run here, beside the intake thread: one thread per two cores.
     * A decision takes about 0.1-0.2 ms, so one thread keeps up with far more than the store's
     * rate; and each wasm instance in use is compiled by the JIT on its own (docs/benchmarks-log.md).
     */
    private final ExecutorService evaluator = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
            Daemons.named("governor-policy-eval"));

    public IntakeService(ProposalRepository proposals, DecisionRepository decisions, PolicyGate gate, DecisionRecorder recorder,
                         CapabilityHistory history, TamperHistory tamper, AuditTrail audit, EntityManager em, ObjectMapper mapper, MeterRegistry registry,
                         KillSwitchService killSwitch, PolicyActivation policies, AgroalDataSource dataSource) {
        this.proposals = proposals;
        this.decisions = decisions;
        this.gate = gate;
        this.recorder = recorder;
        this.history = history;
        this.tamper = tamper;
        this.audit = audit;
        this.em = em;
        this.mapper = mapper;
        this.registry = registry;
        this.killSwitch = killSwitch;
        this.policies = policies;
        this.dataSource = dataSource;
        this.received = Counter.builder("governor.intake.proposals").description("Proposals received and decided").register(registry);
        this.duplicates = Counter.builder("governor.intake.duplicates").description("Redelivered or resent proposals, ignored").register(registry);
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

    /**
     * A batch classified and handed to the policy engine, not yet stored: {@link #prepare} makes it
     * while the batch before it is being stored, {@link #store} stores it. What it accepted, and the
     * state each loop is left in once it is decided, are what the next batch starts from.
     */
    public static final class Prepared {
        private final OffsetDateTime now;
        private final PauseState halt;
        private final BatchClassification batch;
        private final Map<String, BatchEvaluation.LoopState> before;
        private final BatchEvaluation evaluation;

        private Prepared(OffsetDateTime now, PauseState halt, BatchClassification batch, Map<String, BatchEvaluation.LoopState> before,
                         BatchEvaluation evaluation) {
            this.now = now;
            this.halt = halt;
            this.batch = batch;
            this.before = before;
            this.evaluation = evaluation;
        }

        /** Stops the evaluations of a batch that will not be stored. */
        public void discard() {
            evaluation.cancel();
        }
    }

    /**
     * Classifies a batch and starts its policy evaluations, on the state as committed now plus
     * what {@code unstored} (the batch before it, prepared but not yet committed; null if none)
     * will store. Classification and context are then the same as if {@code unstored} had been
     * committed first: a proposal id it accepts is known, a parent it accepts is a known
     * unpromoted parent, and each loop starts from the state the batch before left it in. If
     * {@code unstored} is not committed after all, this batch must be discarded too.
     */
    @WithSpan("IntakeService.prepare")
    public Prepared prepare(List<IntakeRecord> batch, Prepared unstored) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        // Decided on the state as committed now, checked again when the batch is stored: while
        // halted, proposals are still received, decided and audited, but held (RECEIVED,
        // received-while-paused) and decided again after the resume.
        PauseState halt = killSwitch.current();
        Map<String, BatchClassification.Accepted> carried = unstored == null ? Map.of() : unstored.batch.accepted();
        List<Proposal> wellFormed = batch.stream().filter(r -> !r.isMalformed()).map(IntakeRecord::proposal).toList();
        BatchClassification classified;
        Map<String, BatchEvaluation.LoopState> before = new HashMap<>();
        try (Connection c = dataSource.getConnection()) {
            Map<String, String> stored = ProposalRepository.contentDigests(c,
                    wellFormed.stream().map(Proposal::proposalId).distinct().toArray(String[]::new));
            String[] parents = wellFormed.stream().map(Proposal::parentId)
                    .filter(id -> id != null && !carried.containsKey(id)).distinct().toArray(String[]::new);
            classified = BatchClassification.classify(batch, stored, carried, ProposalRepository.ancestryOfChildren(c, parents));
            String[] loops = classified.pending().stream().map(p -> p.proposal().loopId()).distinct().toArray(String[]::new);
            Map<String, Map<String, PolicyGate.CapabilityObservation>> lowest = CapabilityHistory.lowest(c, loops);
            Map<String, List<TamperHistory.Attempt>> attempts = TamperHistory.recent(c, loops);
            for (String loop : loops) {
                before.put(loop, new BatchEvaluation.LoopState(lowest.getOrDefault(loop, Map.of()), attempts.getOrDefault(loop, List.of())));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read what the intake batch depends on: " + e.getMessage(), e);
        }
        // A loop the batch before decided starts where that batch left it, which is what the
        // store will hold once that batch commits. Awaited only now, so that the evaluation
        // thread finishes that batch while this one reads what it depends on.
        if (unstored != null) {
            unstored.evaluation.await().after().forEach((loop, state) -> {
                if (before.containsKey(loop)) {
                    before.put(loop, state);
                }
            });
        }
        // The policy engine is pure and thread-safe: loops are decided in parallel, while the
        // caller stores the batch before.
        return new Prepared(now, halt, classified, before, evaluate(classified.pending(), before, halt, now));
    }

    private BatchEvaluation evaluate(List<BatchClassification.Pending> pending, Map<String, BatchEvaluation.LoopState> before,
                                     PauseState halt, OffsetDateTime now) {
        return BatchEvaluation.start(pending, before, halt, now, evaluator, (p, context) -> gate.decide(p.proposal(), context));
    }

    /**
     * Stores a prepared batch in one transaction: every proposal with its decision and audit
     * entries, every refusal with its audit entry, or none of them. Decisions made on a kill-switch
     * state that has changed since (a pause, or a trip by the batch before) are made again on the
     * state as committed now. A proposal's scores join its loop's history only once it is in
     * review (not denied, not held); a tampering attempt is kept whatever became of it.
     */
    @Transactional
    @WithSpan("IntakeService.store")
    public Outcome store(Prepared prepared) {
        PauseState halt = killSwitch.current();
        // Held likewise while this instance cannot decide with the policy revision in force (ADR 0007).
        boolean policyInForce = policies.inForce();
        List<BatchClassification.Pending> pending = prepared.batch.pending();
        long waitStart = System.nanoTime();
        List<PolicyGate.Decision> decided = prepared.evaluation.await().decisions();
        evaluationWait.record(System.nanoTime() - waitStart, TimeUnit.NANOSECONDS);
        if (halt.epoch() != prepared.halt.epoch() || halt.state() != prepared.halt.state()) {
            reevaluated.increment(pending.size());
            LOG.infof("Kill switch changed to %s (epoch %d) while a batch of %d proposal(s) was being decided; deciding them again",
                    halt.state(), halt.epoch(), pending.size());
            decided = evaluate(pending, prepared.before, halt, prepared.now).await().decisions();
        }

        List<DecisionEntity> toPublish = new ArrayList<>();
        for (String id : prepared.batch.duplicates()) {
            duplicates.increment();
            ProposalEntity existing = proposals.findById(id);
            if (existing != null && existing.decisionId != null) {
                toPublish.add(decisions.findById(existing.decisionId));
            }
        }
        boolean held = !killSwitch.runs(halt) || !policyInForce; // one state for the whole batch
        List<Proposal> inReview = new ArrayList<>();
        List<TamperHistory.Found> attempts = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
            BatchClassification.Pending p = pending.get(i);
            PolicyGate.Decision d = decided.get(i);
            toPublish.add(store(p, d, prepared.now, held));
            if (!held && !d.denies()) {
                inReview.add(p.proposal());
            }
            if (d.tampering()) {
                attempts.add(new TamperHistory.Found(p.proposal().loopId(), p.proposal().proposalId(), d.decisionId(), d.timestamp()));
            }
        }
        em.flush();
        history.record(inReview, prepared.now);
        tamper.record(attempts);
        recordRefusals(prepared.batch.refusals());
        return new Outcome(prepared.batch.refusals(), toPublish);
    }

    private DecisionEntity store(BatchClassification.Pending p, PolicyGate.Decision decision, OffsetDateTime now, boolean halted) {
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
        entity.parentId = proposal.parentId();
        Proposal.Provenance provenance = proposal.provenance();
        entity.signingKeyId = provenance == null ? null : provenance.keyId();
        entity.envelope = provenance == null ? null : provenance.envelope();
        entity.kafkaPartition = record.partition();
        entity.kafkaOffset = record.offset();
        entity.traceId = record.traceId();
        entity.updatedAt = now;
        entity.decisionId = decision.decisionId();
        entity.receivedWhilePaused = halted;
        entity.status = halted ? ProposalStatus.RECEIVED
                : decision.denies() ? ProposalStatus.REJECTED_BY_POLICY : ProposalStatus.PENDING_REVIEW;
        proposals.persist(entity);
        ObjectNode details = mapper.createObjectNode()
                .put("loopId", proposal.loopId())
                .put("sourceSystem", proposal.sourceSystem())
                .put("kind", proposal.kind())
                .put("contentDigest", proposal.contentDigest())
                .put("artifactSha256", proposal.data().path("artifact").path("sha256").asText())
                .put("source", proposal.source())
                .put("submittedBy", proposal.submittedBy())
                .put("kafka", record.position());
        if (provenance != null) {
            // The regulator's proof that the loop (or the API, for the subject named) sent exactly this content.
            details.putObject("signature").put("signedBy", provenance.signedBy()).put("keyId", provenance.keyId())
                    .put("sig", provenance.signature()).put("payloadType", provenance.payloadType())
                    .put("payloadSha256", provenance.payloadSha256());
        }
        audit.record(AuditEventType.PROPOSAL_RECEIVED, Actor.SYSTEM, proposal.proposalId(), null, details);
        DecisionEntity stored = recorder.recordFirst(decision, proposal, entity.status.name());
        received.increment();
        registry.counter("governor.intake.decisions", "outcome", decision.outcome(), "tier", decision.tier()).increment();
        return stored;
    }

    /**
     * Records refusals once per record (its Kafka position and value digest, V13); a redelivered
     * record goes to the dead-letter topic again (at least once) but is neither audited nor counted
     * twice.
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
}
