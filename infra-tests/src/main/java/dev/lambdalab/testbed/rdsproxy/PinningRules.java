package dev.lambdalab.testbed.rdsproxy;

import dev.lambdalab.testbed.rdsproxy.SqlLexer.Kind;
import dev.lambdalab.testbed.rdsproxy.SqlLexer.Token;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether SQL text pins the session, following "Avoiding pinning an RDS Proxy" (Amazon RDS User
 * Guide), section "Conditions that cause pinning for RDS for PostgreSQL":
 * <ul>
 *   <li>"Using SET commands", and setting or resetting a parameter (SET, RESET, set_config). The guide's list for
 *       PostgreSQL names no exception, so SET LOCAL, SET TRANSACTION, SET CONSTRAINTS and set_config(.., true)
 *       pin too, although they last one transaction (the exemption of transaction-scoped settings is written for
 *       MySQL); docs/proxy.md's fidelity table records the uncertainty;</li>
 *   <li>PREPARE, DISCARD, DEALLOCATE or EXECUTE to manage prepared statements in SQL;</li>
 *   <li>creating temporary sequences, tables or views;</li>
 *   <li>declaring cursors;</li>
 *   <li>listening on a notification channel; loading a library module such as auto_explain;</li>
 *   <li>manipulating sequences with functions such as nextval and setval;</li>
 *   <li>interacting with locks through functions such as pg_advisory_lock and pg_try_advisory_lock;
 *       "RDS Proxy does not pin on transaction level advisory locks" (the pg_advisory_xact_lock family);</li>
 * </ul>
 * and, for all engines, any statement whose text is larger than 16 KB. Named statements of the extended
 * query protocol do not pin: RDS Proxy multiplexes them (the guide's note on prepared statements).
 *
 * <p>The text goes through {@link SqlLexer} first, so comments, strings, quoted identifiers and dollar
 * quotes never match: {@code SELECT 'SET x'} does not pin.
 */
public final class PinningRules {

    /** AWS: "Any statement with a text size greater than 16 KB causes the proxy to pin the session." */
    public static final int MAX_UNPINNED_STATEMENT_BYTES = 16 * 1024;

    private static final Set<String> SEQUENCE_FUNCTIONS = Set.of("nextval", "setval", "currval");
    private static final Set<String> ADVISORY_LOCKS = Set.of("pg_advisory_lock", "pg_advisory_lock_shared",
            "pg_try_advisory_lock", "pg_try_advisory_lock_shared");

    /** A pin: its reason and the statement's digest, literals replaced by $n (as RDS Proxy's log shows). */
    public record Pin(PinReason reason, String digest) {

        /** The reason as the pin line gives it. */
        public String describe() {
            return reason == PinReason.SESSION_SETTING ? reason.logText() + " Digest: \"" + digest + "\"."
                    : reason.logText();
        }
    }

    private PinningRules() {
    }

    /** The first condition in the text that pins the session, if any. */
    public static Optional<Pin> check(String sql) {
        return PinTriggers.mayPin(sql) ? lexed(sql) : Optional.empty();
    }

    /** {@link #check} without the quick test of {@link PinTriggers}: every text lexed (what that test is held to). */
    static Optional<Pin> lexed(String sql) {
        if (sql.getBytes(StandardCharsets.UTF_8).length > MAX_UNPINNED_STATEMENT_BYTES) {
            return Optional.of(new Pin(PinReason.STATEMENT_SIZE, abbreviate(digest(SqlLexer.tokens(sql)))));
        }
        for (List<Token> statement : SqlLexer.statements(sql)) {
            Optional<PinReason> reason = statementReason(statement).or(() -> functionReason(statement));
            if (reason.isPresent()) {
                return Optional.of(new Pin(reason.get(), digest(statement)));
            }
        }
        return Optional.empty();
    }

    private static Optional<PinReason> statementReason(List<Token> tokens) {
        String first = word(tokens, 0);
        return switch (first) {
            case "set", "reset" -> Optional.of(PinReason.SESSION_SETTING);
            case "prepare" -> word(tokens, 1).equals("transaction") ? Optional.empty()
                    : Optional.of(PinReason.PREPARED_STATEMENT);
            case "execute", "deallocate" -> Optional.of(PinReason.PREPARED_STATEMENT);
            case "discard" -> Optional.of(PinReason.DISCARD);
            case "declare" -> Optional.of(PinReason.CURSOR);
            case "listen" -> Optional.of(PinReason.LISTEN);
            case "load" -> Optional.of(PinReason.LOAD);
            case "create" -> createsTemporary(tokens) ? Optional.of(PinReason.TEMPORARY_OBJECT) : Optional.empty();
            case "select" -> selectsIntoTemporary(tokens) ? Optional.of(PinReason.TEMPORARY_OBJECT) : Optional.empty();
            default -> Optional.empty();
        };
    }

    /** CREATE [OR REPLACE] [GLOBAL | LOCAL] {TEMP | TEMPORARY} {TABLE | SEQUENCE | VIEW | RECURSIVE VIEW}. */
    private static boolean createsTemporary(List<Token> tokens) {
        int i = 1;
        if (word(tokens, i).equals("or") && word(tokens, i + 1).equals("replace")) {
            i += 2;
        }
        if (word(tokens, i).equals("global") || word(tokens, i).equals("local")) {
            i++;
        }
        return word(tokens, i).equals("temp") || word(tokens, i).equals("temporary");
    }

    /** SELECT ... INTO [TEMP | TEMPORARY] [TABLE] name: creates a temporary table. */
    private static boolean selectsIntoTemporary(List<Token> tokens) {
        int depth = 0;
        for (int i = 1; i < tokens.size(); i++) {
            Token token = tokens.get(i);
            if (token.isSymbol("(")) {
                depth++;
            } else if (token.isSymbol(")")) {
                depth--;
            } else if (depth == 0 && token.isWord("into")) {
                String next = word(tokens, i + 1);
                return next.equals("temp") || next.equals("temporary");
            }
        }
        return false;
    }

    /** A call, anywhere in the statement, of a function on the list (schema-qualified or not). */
    private static Optional<PinReason> functionReason(List<Token> tokens) {
        for (int i = 0; i + 1 < tokens.size(); i++) {
            Token token = tokens.get(i);
            if (token.kind() != Kind.WORD || !tokens.get(i + 1).isSymbol("(")) {
                continue;
            }
            if (i > 0 && tokens.get(i - 1).isSymbol(".") && !(i > 1 && tokens.get(i - 2).isWord("pg_catalog"))) {
                continue; // some_schema.nextval(..) is a user's function, not the catalog's
            }
            String name = token.text();
            if (SEQUENCE_FUNCTIONS.contains(name)) {
                return Optional.of(PinReason.SEQUENCE_FUNCTION);
            }
            if (ADVISORY_LOCKS.contains(name)) {
                return Optional.of(PinReason.ADVISORY_LOCK);
            }
            if (name.equals("set_config")) {
                return Optional.of(PinReason.SESSION_SETTING);
            }
        }
        return Optional.empty();
    }


    private static String word(List<Token> tokens, int index) {
        return index < tokens.size() && tokens.get(index).kind() == Kind.WORD ? tokens.get(index).text() : "";
    }

    /** The statement with every constant replaced by $1, $2, ...: RDS Proxy's "Digest". */
    static String digest(List<Token> tokens) {
        StringBuilder digest = new StringBuilder();
        int parameter = 0;
        for (Token token : tokens) {
            String text = switch (token.kind()) {
                case STRING, NUMBER -> "$" + (++parameter);
                case PARAMETER -> "$" + (++parameter);
                case QUOTED_IDENTIFIER -> "\"" + token.text() + "\"";
                default -> token.text();
            };
            boolean glue = token.kind() == Kind.SYMBOL && !token.text().equals("=") || digest.length() > 0
                    && digest.charAt(digest.length() - 1) == '(' || digest.length() > 0
                    && digest.charAt(digest.length() - 1) == '.';
            if (digest.length() > 0 && !glue) {
                digest.append(' ');
            }
            digest.append(text);
        }
        return digest.toString();
    }

    private static String abbreviate(String digest) {
        return digest.length() <= 60 ? digest : digest.substring(0, 60) + "...";
    }
}
