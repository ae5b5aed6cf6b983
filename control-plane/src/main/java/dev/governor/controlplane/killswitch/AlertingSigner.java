package dev.governor.controlplane.killswitch;

import dev.governor.killswitch.state.SigningFailedException;
import dev.governor.killswitch.state.StateSigner;

import java.util.function.Consumer;

/**
 * The kill-switch key as the control plane uses it: a signature that fails means the key is lost
 * (revoked, hardware gone). The state cannot change without a signature, so a trip is impossible;
 * the failure is reported so that the instance halts on its own and alerts.
 */
final class AlertingSigner implements StateSigner {

    private final StateSigner delegate;
    private final Consumer<String> onLoss;

    AlertingSigner(StateSigner delegate, Consumer<String> onLoss) {
        this.delegate = delegate;
        this.onLoss = onLoss;
    }

    @Override
    public byte[] sign(byte[] canonicalBytes) {
        try {
            return delegate.sign(canonicalBytes);
        } catch (SigningFailedException e) {
            onLoss.accept("the kill-switch signing key failed: " + e.getMessage());
            throw e;
        }
    }
}
