package dev.governor.controlplane.proposal.api;

import dev.governor.controlplane.proposal.ProposalEntity;
import dev.governor.controlplane.proposal.ProposalRepository;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.controlplane.config.GovernorConfig;
import dev.governor.controlplane.gate.DecisionEntity;
import dev.governor.controlplane.gate.DecisionRepository;
import dev.governor.controlplane.gate.DecisionMessage;
import dev.governor.controlplane.proposal.MalformedProposalException;
import dev.governor.controlplane.proposal.Proposal;
import dev.governor.controlplane.proposal.ProposalParser;
import dev.governor.controlplane.kafka.KafkaClients;
import dev.governor.controlplane.problem.ProblemException;
import dev.governor.controlplane.promotion.PromotionStore;
import dev.governor.controlplane.proposal.ProposalStatus;
import dev.governor.controlplane.review.ApprovalStore;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.governor.controlplane.security.Actor;
import dev.governor.auditor.dsse.Envelope;
import dev.governor.controlplane.loop.ApiSigningKey;
import dev.governor.controlplane.loop.Loop;
import dev.governor.controlplane.loop.LoopRegistry;
import dev.governor.controlplane.loop.LoopSnapshot;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

@ApplicationScoped
public class ProposalService {

    private static final Logger LOG = Logger.getLogger(ProposalService.class);

    private final ProposalRepository proposals;
    private final DecisionRepository decisions;
    private final KafkaClients kafka;
    private final GovernorConfig config;
    private final ObjectMapper mapper;
    private final ProposalParser parser;
    private final ApprovalStore approvals;
    private final PromotionStore promotions;
    private final LoopRegistry loops;
    private final ApiSigningKey apiKey;

    public ProposalService(ProposalRepository proposals, DecisionRepository decisions, KafkaClients kafka,
                           GovernorConfig config, ObjectMapper mapper, ProposalParser parser, ApprovalStore approvals,
                           PromotionStore promotions, LoopRegistry loops, ApiSigningKey apiKey) {
        this.loops = loops;
        this.apiKey = apiKey;
        this.proposals = proposals;
        this.decisions = decisions;
        this.kafka = kafka;
        this.config = config;
        this.mapper = mapper;
        this.parser = parser;
        this.approvals = approvals;
        this.promotions = promotions;
    }

    /**
     * Publishes a proposal to {@code rsi.proposals} and waits for the broker's acknowledgement; the
     * intake decides it from there like any other record. Never writes to the database. The
     * caller's stable subject must be one of the loop's registered submitters; the proposal goes
     * out in an envelope signed with Governor's API key that names that subject (ADR 0017), so the
     * submitter is established by the signature, not by anything in the message.
     *
     * @param body a structured CloudEvent whose data is the proposal object, or just that object
     */
    @WithSpan("ProposalService.submit")
    public SubmissionReceipt submit(byte[] body, Actor actor) {
        ObjectNode event = asCloudEvent(body, actor);
        JsonNode data = event.get("data");
        if (data == null || !data.isObject()) {
            throw ProblemException.badRequest("not-cloudevent", "data must be the proposal object");
        }
        try {
            parser.checkSchema(data);
        } catch (MalformedProposalException e) {
            throw ProblemException.badRequest(e.code(), e.getMessage());
        }
        LoopSnapshot registry = loops.snapshot();
        String loopId = data.path("loopId").asText("");
        Loop loop = registry.loop(loopId);
        if (loop == null) {
            throw new ProblemException(403, "Forbidden", "unknown-loop",
                    "Loop \"" + loopId + "\" is not registered; an admin registers it with POST /api/v1/loops");
        }
        if (!loop.active()) {
            throw new ProblemException(403, "Forbidden", "loop-disabled", "Loop " + loopId + " is disabled in the registry");
        }
        if (!loop.allowsSubmitter(actor.subject())) {
            throw new ProblemException(403, "Forbidden", "not-a-submitter",
                    actor.username() + " (subject " + actor.subject() + ") may not submit for loop " + loopId
                            + "; an admin adds the subject to the loop's submitters");
        }
        ObjectNode submission = mapper.createObjectNode();
        submission.putObject("submitter").put("subject", actor.subject()).put("username", actor.username());
        submission.set("proposal", data);
        Envelope envelope = apiKey.signer().sign(ProposalParser.SUBMISSION_PAYLOAD_TYPE,
                submission.toString().getBytes(StandardCharsets.UTF_8));
        event.put("datacontenttype", Envelope.MEDIA_TYPE);
        event.set("data", envelope.toJson(mapper));
        byte[] value = event.toString().getBytes(StandardCharsets.UTF_8);
        Proposal proposal;
        try {
            proposal = parser.parse(null, value, registry, OffsetDateTime.now(ZoneOffset.UTC));
        } catch (MalformedProposalException e) {
            throw ProblemException.badRequest(e.code(), e.getMessage());
        }
        try {
            RecordMetadata meta = kafka.send(new ProducerRecord<>(config.topics().proposals(), proposal.proposalId(), value))
                    .get(15, TimeUnit.SECONDS);
            return new SubmissionReceipt(proposal.proposalId(), proposal.contentDigest(), meta.topic(), meta.partition(),
                    meta.offset(), "/api/v1/proposals/" + proposal.proposalId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProblemException(503, "Service unavailable", "kafka-unavailable", "Interrupted while publishing");
        } catch (Exception e) {
            LOG.warnf(e, "Kafka did not accept proposal %s", proposal.proposalId());
            throw new ProblemException(503, "Service unavailable", "kafka-unavailable",
                    "Kafka did not accept the proposal (" + e.getMessage() + "); nothing was submitted, retry later");
        }
    }

    private ObjectNode asCloudEvent(byte[] body, Actor actor) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (Exception e) {
            throw ProblemException.badRequest("not-json", "The body is not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw ProblemException.badRequest("not-json", "The body must be a CloudEvent or a proposal object");
        }
        if (root.has("specversion")) {
            return (ObjectNode) root;
        }
        ObjectNode event = mapper.createObjectNode();
        event.put("specversion", ProposalParser.SPEC_VERSION);
        event.put("type", ProposalParser.EVENT_TYPE);
        event.put("source", "urn:governor:api:" + actor.subject());
        event.put("id", root.path("proposalId").asText(""));
        event.put("time", OffsetDateTime.now(ZoneOffset.UTC).toString());
        event.set("data", root);
        return event;
    }

    public List<ProposalView> list(ProposalStatus status, String loopId, String submittedBy, boolean newestFirst, int page, int size) {
        List<ProposalEntity> found = proposals.list(status, loopId, submittedBy, newestFirst, page, size);
        List<UUID> ids = found.stream().map(p -> p.decisionId).filter(Objects::nonNull).toList();
        Map<UUID, DecisionEntity> byId = new HashMap<>();
        if (!ids.isEmpty()) {
            decisions.list("decisionId in ?1", ids).forEach(d -> byId.put(d.decisionId, d));
        }
        Map<String, List<ApprovalStore.Recorded>> approved = approvals.approvals(found.stream().map(ProposalService::subject).toList());
        // The review queue shows what an officer decides on: the decision's result (tier, quorum,
        // violations, breaches), the proposal (lineage, evaluations and baselines, the diff), and
        // how many approvals count so far; approvers and the promotion are on GET /{id}.
        return found.stream().map(p -> {
            DecisionEntity d = p.decisionId == null ? null : byId.get(p.decisionId);
            long counted = approved.getOrDefault(p.proposalId, List.of()).stream().filter(ApprovalStore.Recorded::counts).count();
            ObjectNode review = mapper.createObjectNode().put("approvalsCounted", counted);
            if (d != null) {
                review.put("tier", d.tier).put("requiredApprovals", d.requiredApprovals);
            }
            return view(p, d == null ? null : DecisionMessage.of(d).result(), read(p.data), review, null);
        }).toList();
    }

    public ProposalView get(String proposalId) {
        ProposalEntity p = proposals.findById(proposalId);
        if (p == null) {
            throw ProblemException.notFound("No proposal " + proposalId + " has been received (it may still be in rsi.proposals)");
        }
        DecisionEntity d = p.decisionId == null ? null : decisions.findById(p.decisionId);
        return view(p, d == null ? null : fullDecision(d), read(p.data), review(p, d), signature(p));
    }

    private static ApprovalStore.Subject subject(ProposalEntity p) {
        return new ApprovalStore.Subject(p.proposalId, p.decisionId, p.contentDigest);
    }

    /** The approvals of the current decision (which count, which expired) and the promotion, if any. */
    private JsonNode review(ProposalEntity p, DecisionEntity d) {
        ObjectNode review = mapper.createObjectNode();
        if (d != null) {
            review.put("tier", d.tier).put("requiredApprovals", d.requiredApprovals);
        }
        ArrayNode list = review.putArray("approvals");
        int counted = 0;
        for (ApprovalStore.Recorded a : approvals.approvals(List.of(subject(p))).getOrDefault(p.proposalId, List.of())) {
            list.addObject().put("approver", a.approver())
                    .put("approvedAt", a.approvedAt().toString())
                    .put("expiresAt", a.expiresAt().toString())
                    .put("comment", a.comment()).put("counts", a.counts());
            counted += a.counts() ? 1 : 0;
        }
        promotions.of(p.proposalId).ifPresent(promotion -> {
            ObjectNode node = review.putObject("promotion").put("promotionId", promotion.promotionId().toString())
                    .put("promotedAt", promotion.promotedAt().toString())
                    .put("recheckDecisionId", promotion.recheckDecisionId().toString());
            if (promotion.publishedAt() != null) {
                node.put("publishedAt", promotion.publishedAt().toString()).put("partition", promotion.partition())
                        .put("offset", promotion.offset());
            }
        });
        review.put("approvalsCounted", counted);
        return review;
    }

    public ProposalEntity find(String proposalId) {
        return proposals.findById(proposalId);
    }

    private ProposalView view(ProposalEntity p, JsonNode decision, JsonNode data, JsonNode review, JsonNode signature) {
        return new ProposalView(p.proposalId, p.loopId, p.sourceSystem, p.kind, p.status, p.contentDigest, p.receivedAt,
                p.receivedWhilePaused, p.submittedBy, p.traceId, data, decision, review, signature);
    }

    /** The key that signed the proposal and the envelope as received; null for proposals from before signing. */
    private JsonNode signature(ProposalEntity p) {
        if (p.envelope == null) {
            return null;
        }
        return mapper.createObjectNode().put("keyId", p.signingKeyId).set("envelope", read(p.envelope));
    }

    private JsonNode fullDecision(DecisionEntity d) {
        ObjectNode node = DecisionMessage.of(d).toNode();
        node.set("input", read(d.input));
        return node;
    }

    private JsonNode read(String json) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored JSON is not valid", e);
        }
    }
}
