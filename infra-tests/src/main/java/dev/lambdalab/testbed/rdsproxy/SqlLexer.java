package dev.lambdalab.testbed.rdsproxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits SQL text into tokens as PostgreSQL's scanner does ("Lexical Structure" in the manual), so that
 * the pinning rules look only at real keywords and function names: a comment ({@code --} or nested
 * {@code /* *}{@code /}), a string ({@code '...'} with {@code ''}, {@code E'...'} with backslash escapes), a
 * quoted identifier ({@code "..."}) or a dollar-quoted body ({@code $tag$...$tag$}) never yields a keyword.
 * Statements are split at top-level semicolons.
 */
final class SqlLexer {

    /** What a token is. */
    enum Kind {
        /** An unquoted word, lower-cased: a keyword or an identifier. */
        WORD,
        /** A double-quoted identifier, case kept. */
        QUOTED_IDENTIFIER,
        /** A string or dollar-quoted constant. */
        STRING,
        NUMBER,
        /** A positional parameter such as $1. */
        PARAMETER,
        /** Any operator or punctuation character sequence (one character each, except :: and the like). */
        SYMBOL
    }

    /** One token. */
    record Token(Kind kind, String text) {

        boolean isWord(String word) {
            return kind == Kind.WORD && text.equals(word);
        }

        boolean isSymbol(String symbol) {
            return kind == Kind.SYMBOL && text.equals(symbol);
        }
    }

    private SqlLexer() {
    }

    /** The statements of the text, each a list of tokens; empty statements are left out. */
    static List<List<Token>> statements(String sql) {
        List<List<Token>> statements = new ArrayList<>();
        List<Token> current = new ArrayList<>();
        for (Token token : tokens(sql)) {
            if (token.isSymbol(";")) {
                if (!current.isEmpty()) {
                    statements.add(current);
                }
                current = new ArrayList<>();
            } else {
                current.add(token);
            }
        }
        if (!current.isEmpty()) {
            statements.add(current);
        }
        return statements;
    }

    /** Every token of the text, comments left out. An unterminated string or comment runs to the end. */
    static List<Token> tokens(String sql) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                i = skipBlockComment(sql, i);
            } else if (c == '\'') {
                int end = skipString(sql, i, false);
                tokens.add(new Token(Kind.STRING, sql.substring(i, end)));
                i = end;
            } else if ((c == 'e' || c == 'E') && i + 1 < n && sql.charAt(i + 1) == '\'') {
                int end = skipString(sql, i + 1, true);
                tokens.add(new Token(Kind.STRING, sql.substring(i, end)));
                i = end;
            } else if (c == '"') {
                int end = i + 1;
                StringBuilder name = new StringBuilder();
                while (end < n) {
                    if (sql.charAt(end) == '"') {
                        if (end + 1 < n && sql.charAt(end + 1) == '"') {
                            name.append('"');
                            end += 2;
                            continue;
                        }
                        end++;
                        break;
                    }
                    name.append(sql.charAt(end++));
                }
                tokens.add(new Token(Kind.QUOTED_IDENTIFIER, name.toString()));
                i = end;
            } else if (c == '$') {
                int end = dollarQuoteEnd(sql, i);
                if (end > 0) {
                    tokens.add(new Token(Kind.STRING, sql.substring(i, end)));
                    i = end;
                } else {
                    int digits = i + 1;
                    while (digits < n && Character.isDigit(sql.charAt(digits))) {
                        digits++;
                    }
                    tokens.add(new Token(digits > i + 1 ? Kind.PARAMETER : Kind.SYMBOL, sql.substring(i, Math.max(digits, i + 1))));
                    i = Math.max(digits, i + 1);
                }
            } else if (isIdentifierStart(c)) {
                int end = i + 1;
                while (end < n && isIdentifierPart(sql.charAt(end))) {
                    end++;
                }
                tokens.add(new Token(Kind.WORD, sql.substring(i, end).toLowerCase(Locale.ROOT)));
                i = end;
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))) {
                int end = i + 1;
                while (end < n && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '.'
                        || sql.charAt(end) == '_')) {
                    end++;
                }
                tokens.add(new Token(Kind.NUMBER, sql.substring(i, end)));
                i = end;
            } else {
                tokens.add(new Token(Kind.SYMBOL, String.valueOf(c)));
                i++;
            }
        }
        return tokens;
    }

    private static int skipBlockComment(String sql, int start) {
        int depth = 0;
        int i = start;
        while (i < sql.length()) {
            if (sql.startsWith("/*", i)) {
                depth++;
                i += 2;
            } else if (sql.startsWith("*/", i)) {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        return sql.length();
    }

    /** The index after a string that opens at {@code quote}; {@code ''} inside it is a quote. */
    private static int skipString(String sql, int quote, boolean backslashEscapes) {
        int i = quote + 1;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (backslashEscapes && c == '\\') {
                i += 2;
            } else if (c == '\'') {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return sql.length();
    }

    /** The index after a dollar-quoted string starting at {@code start}, or -1 when {@code $} opens none. */
    private static int dollarQuoteEnd(String sql, int start) {
        int tagEnd = start + 1;
        while (tagEnd < sql.length() && sql.charAt(tagEnd) != '$') {
            char c = sql.charAt(tagEnd);
            if (!(tagEnd == start + 1 ? isIdentifierStart(c) : isIdentifierPart(c)) || c == '$') {
                return -1;
            }
            tagEnd++;
        }
        if (tagEnd >= sql.length()) {
            return -1;
        }
        String tag = sql.substring(start, tagEnd + 1);
        int close = sql.indexOf(tag, tagEnd + 1);
        return close < 0 ? sql.length() : close + tag.length();
    }

    private static boolean isIdentifierStart(char c) {
        return Character.isLetter(c) || c == '_' || c > 127;
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || Character.isDigit(c) || c == '$';
    }
}
