package dev.governor.controlplane.promotion;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

/**
 * Promotions (table {@code promotion}, at most one per proposal) and their messages waiting for
 * {@code rsi.promotions} (table {@code promotion_outbox}, drained by {@link PromotionRelay}).
 */
@ApplicationScoped
public class PromotionStore {

    /** A promotion as the proposal page shows it; {@code publishedAt} and the position are null until the relay has it acknowledged. */
    public record Promotion(UUID promotionId, OffsetDateTime promotedAt, UUID recheckDecisionId, OffsetDateTime publishedAt,
                            Integer partition, Long offset) {
    }

    private final AgroalDataSource dataSource;

    public PromotionStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Writes the promotion and its outbox message, in the caller's transaction. */
    void insert(PromotionMessage message) {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("insert into promotion (proposal_id, promotion_id, approved_decision, "
                    + "recheck_decision, bundle_revision, content_digest, promoted_at) values (?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, message.proposalId());
                ps.setObject(2, message.promotionId());
                ps.setObject(3, message.decisionId());
                ps.setObject(4, message.recheckDecisionId());
                ps.setString(5, message.bundleRevision());
                ps.setString(6, message.contentDigest());
                ps.setObject(7, message.promotedAt());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("insert into promotion_outbox (promotion_id, proposal_id, payload, "
                    + "created_at) values (?, ?, ?::jsonb, ?)")) {
                ps.setObject(1, message.promotionId());
                ps.setString(2, message.proposalId());
                ps.setString(3, message.toJson());
                ps.setObject(4, message.promotedAt());
                ps.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not write the promotion of " + message.proposalId() + ": " + e.getMessage(), e);
        }
    }

    /** The proposal's promotion, if it has one. */
    public Optional<Promotion> of(String proposalId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select o.promotion_id, p.promoted_at, p.recheck_decision, o.published_at, "
                     + "o.kafka_partition, o.kafka_offset from promotion p join promotion_outbox o on o.promotion_id = p.promotion_id "
                     + "where p.proposal_id = ?")) {
            ps.setString(1, proposalId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                OffsetDateTime published = rs.getObject(4, OffsetDateTime.class);
                return Optional.of(new Promotion(rs.getObject(1, UUID.class), rs.getObject(2, OffsetDateTime.class),
                        rs.getObject(3, UUID.class), published, published == null ? null : rs.getInt(5),
                        published == null ? null : rs.getLong(6)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the promotion of " + proposalId + ": " + e.getMessage(), e);
        }
    }
}
