package dev.governor.controlplane.review;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The in-memory twin of {@link PostgresApprovalStore}, for unit tests; the contract test keeps the two in step. */
final class InMemoryApprovalStore implements ApprovalStore {

    private record Row(Subject subject, String approverSubject, String approver, String comment, OffsetDateTime approvedAt,
                       OffsetDateTime expiresAt) {
    }

    private final Clock clock;
    private final List<Row> rows = new ArrayList<>();

    InMemoryApprovalStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized void record(Subject subject, String approverSubject, String approver, String comment,
                                    OffsetDateTime approvedAt, OffsetDateTime expiresAt) {
        rows.removeIf(r -> r.subject().proposalId().equals(subject.proposalId())
                && r.subject().decisionId().equals(subject.decisionId()) && r.approverSubject().equals(approverSubject));
        rows.add(new Row(subject, approverSubject, approver, comment, approvedAt, expiresAt));
    }

    @Override
    public synchronized Map<String, List<Recorded>> approvals(Collection<Subject> subjects) {
        OffsetDateTime now = OffsetDateTime.now(clock);
        Map<String, List<Recorded>> out = new LinkedHashMap<>();
        rows.stream().sorted(Comparator.comparing(Row::approvedAt).thenComparing(Row::approverSubject)).forEach(r -> {
            for (Subject s : subjects) {
                if (s.decisionId() != null && s.proposalId().equals(r.subject().proposalId())
                        && s.decisionId().equals(r.subject().decisionId())) {
                    boolean counts = Objects.equals(r.subject().contentDigest(), s.contentDigest()) && r.expiresAt().isAfter(now);
                    out.computeIfAbsent(s.proposalId(), k -> new ArrayList<>()).add(new Recorded(s.proposalId(), s.decisionId(),
                            r.subject().contentDigest(), r.approverSubject(), r.approver(), r.comment(), r.approvedAt(),
                            r.expiresAt(), counts));
                }
            }
        });
        return out;
    }
}
