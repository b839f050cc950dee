package io.drover.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretMaskTest {
    @Test
    void masksEveryOccurrenceLongestFirstAndSkipsShortValues() {
        SecretMask m = SecretMask.of(Map.of("A", "abcd1234", "B", "abcd1234-extended", "SHORT", "x1", "RE", "a.b*c$1"));
        assertThat(m.apply("a abcd1234 b abcd1234-extended c abcd1234")).isEqualTo("a *** b *** c ***");
        assertThat(m.apply("abcd1234abcd1234")).isEqualTo("******");
        // regex characters in a value are literal, and a short value is left alone
        assertThat(m.apply("x1 a.b*c$1 aXbbbc$1")).isEqualTo("x1 *** aXbbbc$1");
        String plain = "nothing to hide";
        assertThat(m.apply(plain)).isSameAs(plain);
    }

    @Test
    void aMultiLineValueIsMaskedLineByLine() {
        SecretMask m = SecretMask.of(Map.of("KEY", "-----BEGIN KEY-----\nMIIEvQIBADANBgkq\n-----END KEY-----\n"));
        assertThat(m.apply("MIIEvQIBADANBgkq")).isEqualTo("***");
        assertThat(m.apply("-----BEGIN KEY-----")).isEqualTo("***");
    }

    @Test
    void noSecretsNoCost() {
        assertThat(SecretMask.of(Map.of()).isEmpty()).isTrue();
        assertThat(SecretMask.of(Map.of("S", "abc")).isEmpty()).isTrue();
    }
}
