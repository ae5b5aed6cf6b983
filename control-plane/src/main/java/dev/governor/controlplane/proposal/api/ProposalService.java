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
import dev.governor.controlplane.gate.DecisionMessages;
import dev.governor.controlplane.proposal.MalformedProposalException;
import dev.governor.controlplane.proposal.Proposal;
import dev.governor.controlplane.proposal.ProposalParser;
import dev.governor.controlplane.kafka.KafkaClients;
import dev.governor.controlplane.problem.ProblemException;
import dev.governor.controlplane.security.Actor;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
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

    public ProposalService(ProposalRepository proposals, DecisionRepository decisions, KafkaClients kafka,
                           GovernorConfig config, ObjectMapper mapper, ProposalParser parser) {
        this.proposals = proposals;
        this.decisions = decisions;
        this.kafka = kafka;
        this.config = config;
        this.mapper = mapper;
        this.parser = parser;
    }

    /**
     * Publishes a proposal to {@code rsi.proposals} and waits for the broker's acknowledgement; the
     * intake decides it from there like any other record. Never writes to the database.
     *
     * @param body a structured CloudEvent, or just its {@code data} object
     */
    @WithSpan("ProposalService.submit")
    public SubmissionReceipt submit(byte[] body, Actor actor) {
        ObjectNode event = asCloudEvent(body, actor);
        byte[] value = event.toString().getBytes(StandardCharsets.UTF_8);
        Proposal proposal;
        try {
            proposal = parser.parse(null, value);
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
        ObjectNode event;
        if (root.has("specversion")) {
            event = (ObjectNode) root;
        } else {
            event = mapper.createObjectNode();
            event.put("specversion", ProposalParser.SPEC_VERSION);
            event.put("type", ProposalParser.EVENT_TYPE);
            event.put("source", "urn:governor:api:" + actor.username());
            event.put("id", root.path("proposalId").asText(""));
            event.put("time", OffsetDateTime.now(ZoneOffset.UTC).toString());
            event.put("datacontenttype", "application/json");
            event.set("data", root);
        }
        // The submitter is who authenticated, whatever the body claims.
        event.put(ProposalParser.SUBMITTER_ATTRIBUTE, actor.subject());
        return event;
    }

    public List<ProposalView> list(String status, String loopId, String submittedBy, boolean newestFirst, int page, int size) {
        List<ProposalEntity> found = proposals.list(status, loopId, submittedBy, newestFirst, page, size);
        List<java.util.UUID> ids = found.stream().map(p -> p.decisionId).filter(java.util.Objects::nonNull).toList();
        java.util.Map<java.util.UUID, DecisionEntity> byId = new java.util.HashMap<>();
        if (!ids.isEmpty()) {
            decisions.list("decisionId in ?1", ids).forEach(d -> byId.put(d.decisionId, d));
        }
        java.util.Map<String, Integer> counted = countedApprovals(found);
        // The review queue shows what an officer decides on: the decision's result (tier, quorum,
        // violations, breaches), the proposal (lineage, evaluations and baselines, the diff), and
        // how many approvals count so far; approvers and the promotion are on GET /{id}.
        return found.stream().map(p -> {
            DecisionEntity d = p.decisionId == null ? null : byId.get(p.decisionId);
            ObjectNode review = mapper.createObjectNode().put("approvalsCounted", counted.getOrDefault(p.proposalId, 0));
            if (d != null) {
                review.put("tier", d.tier).put("requiredApprovals", d.requiredApprovals);
            }
            return view(p, d == null ? null : DecisionMessages.toNode(d).get("result"), read(p.data), review);
        }).toList();
    }

    /** Approvals that count now (unexpired, for the current decision and digest), per proposal of a page, in one query. */
    private java.util.Map<String, Integer> countedApprovals(List<ProposalEntity> page) {
        java.util.Map<String, Integer> counted = new java.util.HashMap<>();
        String[] ids = page.stream().filter(p -> p.decisionId != null).map(p -> p.proposalId).toArray(String[]::new);
        if (ids.length == 0) {
            return counted;
        }
        proposals.getEntityManager().unwrap(org.hibernate.Session.class).doWork(c -> {
            try (var ps = c.prepareStatement("select a.proposal_id, count(*) from approval a join proposal p "
                    + "on p.proposal_id = a.proposal_id and p.decision_id = a.decision_id and p.content_digest = a.content_digest "
                    + "where a.proposal_id = any(?) and a.expires_at > now() group by a.proposal_id")) {
                ps.setArray(1, c.createArrayOf("text", ids));
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        counted.put(rs.getString(1), rs.getInt(2));
                    }
                }
            }
        });
        return counted;
    }

    public ProposalView get(String proposalId) {
        ProposalEntity p = proposals.findById(proposalId);
        if (p == null) {
            throw ProblemException.notFound("No proposal " + proposalId + " has been received (it may still be in rsi.proposals)");
        }
        DecisionEntity d = p.decisionId == null ? null : decisions.findById(p.decisionId);
        return view(p, d == null ? null : fullDecision(d), read(p.data), review(p, d));
    }

    /** The approvals of the current decision (which count, which expired) and the promotion, if any. */
    private JsonNode review(ProposalEntity p, DecisionEntity d) {
        ObjectNode review = mapper.createObjectNode();
        if (d != null) {
            review.put("tier", d.tier).put("requiredApprovals", d.requiredApprovals);
        }
        var approvals = review.putArray("approvals");
        int[] counted = {0};
        proposals.getEntityManager().unwrap(org.hibernate.Session.class).doWork(c -> {
            try (var ps = c.prepareStatement("select approver, approved_at, expires_at, comment, expires_at > now() from approval "
                    + "where proposal_id = ? and decision_id = ? order by approved_at")) {
                ps.setString(1, p.proposalId);
                ps.setObject(2, p.decisionId);
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        approvals.addObject().put("approver", rs.getString(1))
                                .put("approvedAt", rs.getObject(2, OffsetDateTime.class).toString())
                                .put("expiresAt", rs.getObject(3, OffsetDateTime.class).toString())
                                .put("comment", rs.getString(4)).put("counts", rs.getBoolean(5));
                        counted[0] += rs.getBoolean(5) ? 1 : 0;
                    }
                }
            }
            try (var ps = c.prepareStatement("select o.promotion_id, p.promoted_at, o.published_at, o.kafka_partition, o.kafka_offset, "
                    + "p.recheck_decision from promotion p join promotion_outbox o on o.promotion_id = p.promotion_id where p.proposal_id = ?")) {
                ps.setString(1, p.proposalId);
                try (var rs = ps.executeQuery()) {
                    if (rs.next()) {
                        ObjectNode promotion = review.putObject("promotion").put("promotionId", rs.getString(1))
                                .put("promotedAt", rs.getObject(2, OffsetDateTime.class).toString())
                                .put("recheckDecisionId", rs.getString(6));
                        OffsetDateTime published = rs.getObject(3, OffsetDateTime.class);
                        if (published != null) {
                            promotion.put("publishedAt", published.toString()).put("partition", rs.getInt(4)).put("offset", rs.getLong(5));
                        }
                    }
                }
            }
        });
        review.put("approvalsCounted", counted[0]);
        return review;
    }

    public ProposalEntity find(String proposalId) {
        return proposals.findById(proposalId);
    }

    private ProposalView view(ProposalEntity p, JsonNode decision, JsonNode data, JsonNode review) {
        return new ProposalView(p.proposalId, p.loopId, p.sourceSystem, p.kind, p.status, p.contentDigest, p.receivedAt,
                p.receivedWhilePaused, p.submittedBy, p.traceId, data, decision, review);
    }

    private JsonNode fullDecision(DecisionEntity d) {
        ObjectNode node = DecisionMessages.toNode(d);
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
