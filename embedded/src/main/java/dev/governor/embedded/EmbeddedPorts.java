package dev.governor.embedded;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Ports the embedded services are about to listen on, checked first so that a clash is named. */
final class EmbeddedPorts {

    private EmbeddedPorts() {
    }

    /**
     * Fails when something already listens on {@code 127.0.0.1:port}, with one sentence that names
     * the port and how to move it, instead of the service's own start-up failure.
     *
     * @param what the service that needs the port, as the message names it
     * @param option how to give it another port
     */
    static void requireFree(int port, String what, String option) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new IllegalStateException("Port 127.0.0.1:" + port + ", which " + what + " needs, is in use by another"
                    + " program (another Kafka or PostgreSQL, such as those of scripts/services, or another Governor)."
                    + " Stop it, or choose another port with " + option + ".");
        }
    }
}
