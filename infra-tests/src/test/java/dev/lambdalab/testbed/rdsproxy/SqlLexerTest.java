package dev.lambdalab.testbed.rdsproxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.rdsproxy.SqlLexer.Kind;
import dev.lambdalab.testbed.rdsproxy.SqlLexer.Token;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scanner under the pinning rules: only real words are words ("Lexical Structure", PostgreSQL manual). */
class SqlLexerTest {

    @Test
    void commentsStringsQuotedIdentifiersAndDollarQuotesNeverYieldAWord() {
        List<Token> tokens = SqlLexer.tokens("SELECT /* SET /* nested */ x */ 'SET a', E'it\\'s SET', \"SET\","
                + " $body$ SET y $body$ -- SET z\n FROM t");

        assertThat(tokens).filteredOn(token -> token.kind() == Kind.WORD).extracting(Token::text)
                .containsExactly("select", "from", "t");
        assertThat(tokens).filteredOn(token -> token.kind() == Kind.STRING).hasSize(3);
        assertThat(tokens).filteredOn(token -> token.kind() == Kind.QUOTED_IDENTIFIER).extracting(Token::text)
                .containsExactly("SET");
    }

    @Test
    void statementsSplitAtTopLevelSemicolonsOnly() {
        List<List<Token>> statements = SqlLexer.statements("SELECT ';'; SET x = 1; DO $$ BEGIN; END $$");

        assertThat(statements).hasSize(3);
        assertThat(statements.get(1).get(0).text()).isEqualTo("set");
        assertThat(statements.get(2)).extracting(Token::kind).contains(Kind.STRING);
    }

    @Test
    void parametersAndNumbersAreTheirOwnKinds() {
        assertThat(SqlLexer.tokens("SELECT $1 + 42")).extracting(Token::kind)
                .containsExactly(Kind.WORD, Kind.PARAMETER, Kind.SYMBOL, Kind.NUMBER);
    }
}
