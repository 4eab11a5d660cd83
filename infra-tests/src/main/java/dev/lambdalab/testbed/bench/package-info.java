/**
 * The benchmarks of {@code testbed bench}: each target measured as a ratio against a peer in the same run
 * (PgBouncer, a direct connection, Little's law). Not used by the scenarios or the tests' assertions.
 */
package dev.lambdalab.testbed.bench;
