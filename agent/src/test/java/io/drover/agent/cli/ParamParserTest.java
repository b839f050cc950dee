package io.drover.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ParamParserTest {
    @Test
    void keyValuePairsKeepOrderAndSplitAtTheFirstEquals() {
        assertThat(ParamParser.parse(List.of("lr=0.5", "expr=a=b", "empty=", "lr=0.7")))
                .containsExactly(java.util.Map.entry("lr", "0.7"), java.util.Map.entry("expr", "a=b"),
                        java.util.Map.entry("empty", ""));
        assertThat(ParamParser.parse(null)).isEmpty();
    }

    @Test
    void missingEqualsOrKeyIsRefusedWithTheExpectedShape() {
        assertThatThrownBy(() -> ParamParser.parse(List.of("lr")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KEY=VALUE");
        assertThatThrownBy(() -> ParamParser.parse(List.of("=3"))).hasMessageContaining("KEY");
        assertThatThrownBy(() -> ParamParser.parse(List.of("a b=3"))).hasMessageContaining("without spaces");
    }
}
