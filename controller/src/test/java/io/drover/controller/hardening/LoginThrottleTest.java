package io.drover.controller.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.drover.controller.http.LoginThrottle;
import io.drover.controller.http.TooManyRequests;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    final Clock clock = new Clock() {
        public ZoneOffset getZone() { return ZoneOffset.UTC; }
        public Clock withZone(java.time.ZoneId z) { return this; }
        public Instant instant() { return t; }
    };
    final LoginThrottle throttle = new LoginThrottle(5, Duration.ofMinutes(5), clock);

    @Test
    void fiveFailuresForAUserThrottleItUntilTheWindowPasses() {
        for (int i = 0; i < 5; i++) {
            throttle.check("alice", "10.0.0." + i);
            throttle.failed("Alice", "10.0.0." + i); // case-insensitive, from different addresses
            t = t.plusSeconds(10);
        }
        TooManyRequests e = catchThrowableOfType(() -> throttle.check("alice", "10.9.9.9"), TooManyRequests.class);
        assertThat(e).isNotNull();
        assertThat(e.retryAfterSeconds()).isEqualTo(300 - 50);
        assertThat(e.getMessage()).contains("wait 250 s");
        assertThatCode(() -> throttle.check("bob", "10.9.9.9")).doesNotThrowAnyException();
        t = t.plusSeconds(250);
        assertThatCode(() -> throttle.check("alice", "10.9.9.9")).doesNotThrowAnyException();
    }

    @Test
    void fiveFailuresFromAnIpThrottleEveryUserFromIt() {
        for (int i = 0; i < 5; i++) throttle.failed("user" + i, "10.1.1.1");
        assertThat(catchThrowableOfType(() -> throttle.check("someone-else", "10.1.1.1"), TooManyRequests.class)).isNotNull();
        assertThatCode(() -> throttle.check("someone-else", "10.1.1.2")).doesNotThrowAnyException();
        // a success from the address (the attacker's own account) does not reset the address's count
        throttle.succeeded("user0", "10.1.1.1");
        assertThat(catchThrowableOfType(() -> throttle.check("x", "10.1.1.1"), TooManyRequests.class)).isNotNull();
    }

    @Test
    void successClearsTheUsersFailures() {
        for (int i = 0; i < 4; i++) throttle.failed("carol", "10.0.0." + i);
        throttle.succeeded("carol", "10.0.0.9");
        throttle.failed("carol", "10.0.1.1");
        assertThatCode(() -> throttle.check("carol", "10.0.2.2")).doesNotThrowAnyException();
    }
}
