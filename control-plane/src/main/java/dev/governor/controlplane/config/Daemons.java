package dev.governor.controlplane.config;

import java.util.concurrent.ThreadFactory;

/** Named daemon threads for Governor's background work, so that thread dumps say whose a thread is. */
public final class Daemons {

    private Daemons() {
    }

    public static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
