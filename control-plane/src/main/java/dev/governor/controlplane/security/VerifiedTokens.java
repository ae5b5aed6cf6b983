package dev.governor.controlplane.security;

import dev.governor.controlplane.config.GovernorConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bearer tokens already verified by Quarkus OIDC (signature, issuer, audience, expiry), kept so
 * that the same token is not verified again on every request: in a profile of the inclusion-proof
 * benchmark, verification was about 46 % of the control plane's CPU.
 *
 * <p>Keyed by SHA-256 of the whole token, signature included: a token that differs in any byte
 * (another signature, a tampered claim) is not found and goes to OIDC. An entry is used only
 * before the token's own {@code exp} and at most {@code governor.security.verified-token-reuse} (60 s) after it was verified, so
 * nothing is accepted that local JWT verification would refuse, except for a key rotated away
 * in the last minute. Only identities that came from a verified JWT are kept.
 */
@ApplicationScoped
public class VerifiedTokens {

    private static final Logger LOG = Logger.getLogger(VerifiedTokens.class);
    private static final int MAX_ENTRIES = 10_000;
    /** Marks an identity answered from the cache, so that {@link Keeper} does not hash and store it again. */
    private static final String FROM_CACHE = VerifiedTokens.class.getName() + ".from-cache";

    private record Entry(SecurityIdentity identity, long usableUntil) {
    }

    private final Map<String, Entry> verified = new ConcurrentHashMap<>();
    private final Clock clock;
    private final long reuseSeconds;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    public VerifiedTokens(MeterRegistry registry, GovernorConfig config) {
        this.clock = Clock.systemUTC();
        this.reuseSeconds = config.security().verifiedTokenReuse().toSeconds();
        // Read at each scrape from the adders, so no count depends on when a registry joined.
        FunctionCounter.builder("governor.verified.tokens", hits, LongAdder::sum).tag("result", "hit")
                .description("Bearer tokens answered from the verified-token cache").register(registry);
        FunctionCounter.builder("governor.verified.tokens", misses, LongAdder::sum).tag("result", "miss")
                .description("Bearer tokens passed on to OIDC verification").register(registry);
        if (reuseSeconds > 0) {
            LOG.infof("Bearer tokens verified by OIDC are reused for up to %d s (never past their exp)", reuseSeconds);
        }
    }

    /** The identity a token was verified as, for this request; null when it must be verified (again). */
    SecurityIdentity lookup(TokenAuthenticationRequest request) {
        if (reuseSeconds <= 0 || !(request.getToken() instanceof AccessTokenCredential)) {
            return null;
        }
        String key = key(request.getToken().getToken());
        Entry entry = verified.get(key);
        long now = clock.millis() / 1000;
        if (entry == null || now >= entry.usableUntil()) {
            if (entry != null) {
                verified.remove(key, entry);
            }
            misses.increment();
            return null;
        }
        hits.increment();
        return forThisRequest(entry.identity(), HttpSecurityUtils.getRoutingContextAttribute(request));
    }

    /** Keeps what OIDC has just verified. */
    void keep(SecurityIdentity identity) {
        if (reuseSeconds > 0 && !identity.isAnonymous() && identity.getAttribute(FROM_CACHE) == null
                && identity.getPrincipal() instanceof JsonWebToken jwt) {
            AccessTokenCredential token = identity.getCredential(AccessTokenCredential.class);
            long now = clock.millis() / 1000;
            if (token != null && jwt.getExpirationTime() > now) {
                if (verified.size() >= MAX_ENTRIES) {
                    verified.entrySet().removeIf(e -> now >= e.getValue().usableUntil());
                    if (verified.size() >= MAX_ENTRIES) {
                        verified.clear();
                    }
                }
                verified.putIfAbsent(key(token.getToken()), new Entry(identity, Math.min(jwt.getExpirationTime(), now + reuseSeconds)));
            }
        }
    }

    /** Asked before OIDC's own provider; a null answer passes the request on to it. */
    @ApplicationScoped
    public static class Provider implements IdentityProvider<TokenAuthenticationRequest> {

        private final VerifiedTokens tokens;

        public Provider(VerifiedTokens tokens) {
            this.tokens = tokens;
        }

        @Override
        public Class<TokenAuthenticationRequest> getRequestType() {
            return TokenAuthenticationRequest.class;
        }

        /**
         * Above every provider Quarkus registers: their default is SYSTEM_FIRST + 1 (1001), and with
         * equal priorities the order between two providers is not defined.
         */
        @Override
        public int priority() {
            return SYSTEM_FIRST + 1000;
        }

        @Override
        public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
            return Uni.createFrom().item(tokens.lookup(request));
        }
    }

    /** Runs after every authentication, so that what OIDC has just verified is kept. */
    @ApplicationScoped
    public static class Keeper implements SecurityIdentityAugmentor {

        private final VerifiedTokens tokens;

        public Keeper(VerifiedTokens tokens) {
            this.tokens = tokens;
        }

        @Override
        public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
            tokens.keep(identity);
            return Uni.createFrom().item(identity);
        }
    }

    /** The cached identity with this request's routing context, never the one it was verified on. */
    private static SecurityIdentity forThisRequest(SecurityIdentity cached, RoutingContext current) {
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder()
                .setPrincipal(cached.getPrincipal())
                .addRoles(cached.getRoles())
                .addCredentials(cached.getCredentials());
        cached.getAttributes().forEach((name, value) -> {
            if (!HttpSecurityUtils.ROUTING_CONTEXT_ATTRIBUTE.equals(name) && !RoutingContext.class.getName().equals(name)) {
                builder.addAttribute(name, value);
            }
        });
        if (current != null) {
            builder.addAttribute(HttpSecurityUtils.ROUTING_CONTEXT_ATTRIBUTE, current);
        }
        builder.addAttribute(FROM_CACHE, Boolean.TRUE);
        return builder.build();
    }

    private static String key(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
