package dev.governor.controlplane.testing;

import io.restassured.response.Response;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests share one database, so one that halts the kill switch leaves it RUNNING again, through
 * the API and two officers like anyone else (there is no back door).
 */
public final class KillSwitchTesting {

    private KillSwitchTesting() {
    }

    public static void ensureRunning() {
        String alice = Keycloak.token("alice");
        Response now = given().auth().oauth2(alice).get("/api/v1/killswitch");
        if ("RUNNING".equals(now.jsonPath().getString("state")) && now.jsonPath().getBoolean("verified")) {
            return;
        }
        if (!now.jsonPath().getBoolean("verified")) {
            // Left by a run with another key (the database outlives target/): the same ceremony as a key change,
            // a pause that signs with the current key, then two officers.
            given().auth().oauth2(alice).contentType("application/json")
                    .body("{\"reason\":\"test set-up: re-sign the state with this run's key\"}").post("/api/v1/killswitch/pause")
                    .then().statusCode(200);
        }
        for (String officer : new String[] {"alice", "bob", "carol"}) {
            Response r = given().auth().oauth2(Keycloak.token(officer)).contentType("application/json")
                    .body("{\"reason\":\"test clean-up: resume for the next test\"}").post("/api/v1/killswitch/resume");
            if (r.statusCode() == 200) {
                break;
            }
        }
        Response after = given().auth().oauth2(alice).get("/api/v1/killswitch");
        assertThat(after.jsonPath().getString("state")).isEqualTo("RUNNING");
        assertThat(after.jsonPath().getBoolean("verified")).isTrue();
    }
}
