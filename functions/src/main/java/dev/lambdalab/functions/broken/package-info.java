/**
 * The mistake: a handler that builds a connection pool per invocation and never closes it. It shares everything
 * else with the fixed handler ({@code http}, shared-db's {@code ConnectionSpec}), so that only the pool differs.
 */
package dev.lambdalab.functions.broken;
