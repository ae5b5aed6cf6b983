package dev.governor.controlplane.security;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo users (password = user name) belong to the embedded artifact alone: the service's
 * artifact defines none, so starting it in the embedded profile against real services offers no
 * HTTP Basic login (its OIDC tenant is off there too, so nobody signs in at all).
 */
class DemoUsersTest {

    @Test
    void theServiceArtifactDefinesNoBasicUsersInAnyProfile() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = DemoUsersTest.class.getResourceAsStream("/application.properties")) {
            properties.load(in);
        }
        assertThat(properties.stringPropertyNames())
                .filteredOn(key -> key.contains("quarkus.security.users.embedded.users.")
                        || key.contains("quarkus.security.users.embedded.roles."))
                .isEmpty();
    }
}
