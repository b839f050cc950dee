package io.drover.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ArgTokenizerTest {
    @Test
    void splitsLikeAShellWithoutRunningOne() {
        assertThat(ArgTokenizer.split("--epochs 3  --name 'my run' --msg \"say \\\"hi\\\"\" a\\ b"))
                .containsExactly("--epochs", "3", "--name", "my run", "--msg", "say \"hi\"", "a b");
        assertThat(ArgTokenizer.split("--x=$HOME `id` ;rm *")).containsExactly("--x=$HOME", "`id`", ";rm", "*");
        assertThat(ArgTokenizer.split("a''b \"\" ''")).containsExactly("ab", "", "");
        assertThat(ArgTokenizer.split(null)).isEmpty();
        assertThat(ArgTokenizer.split("   ")).isEmpty();
        assertThat(ArgTokenizer.split("'single \\n keeps' \"tab\tin\"")).containsExactly("single \\n keeps", "tab\tin");
    }

    @Test
    void unclosedQuotesAreRefusedWithTheInput() {
        assertThatThrownBy(() -> ArgTokenizer.split("--name 'oops")).hasMessageContaining("unclosed single quote")
                .hasMessageContaining("--name 'oops");
        assertThatThrownBy(() -> ArgTokenizer.split("\"oops")).hasMessageContaining("unclosed double quote");
    }
}
