package dev.governor.controlplane.promotion;

import dev.governor.auditor.promotion.PromotionAttestation;
import dev.governor.controlplane.audit.AuditKeys;
import dev.governor.controlplane.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** What a deployer needs to verify records on {@code rsi.promotions} (docs/promotion-attestation.md). */
@Path("/api/v1/promotions")
@Produces(MediaType.APPLICATION_JSON)
public class PromotionResource {

    /**
     * Governor's promotion key (raw 32-byte Ed25519 public key in base64, and its DSSE key id),
     * the formats it signs, and the audit log's origin and checkpoint key that prove each entry.
     */
    public record PromotionKey(String keyId, String algorithm, String publicKey, String payloadType, String predicateType,
                               String logOrigin, String logVerifierKey, boolean demoOnly) {
    }

    private final PromotionKeys keys;
    private final AuditKeys auditKeys;

    public PromotionResource(PromotionKeys keys, AuditKeys auditKeys) {
        this.keys = keys;
        this.auditKeys = auditKeys;
    }

    @GET
    @Path("/key")
    @RolesAllowed({Roles.PROPOSER, Roles.SAFETY_OFFICER, Roles.REGULATOR, Roles.ADMIN})
    public PromotionKey key() {
        return new PromotionKey(keys.signer().keyId(), "ed25519", keys.signer().publicKeyBase64(), PromotionAttestation.PAYLOAD_TYPE,
                PromotionAttestation.PREDICATE_TYPE, auditKeys.origin(), auditKeys.verifierKey(), keys.demoOnly());
    }
}
