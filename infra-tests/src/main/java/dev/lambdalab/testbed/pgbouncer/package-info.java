/**
 * PgBouncer, the real one: found on the machine or run as a container, configured from the same RDS Proxy settings
 * ({@code proxy.ProxySettings}), started as a child process (as {@code nobody} when the JVM is root) and read through
 * its admin console. Depends on {@code proxy}, {@code pgwire} and {@code watchdog}; the emulator knows nothing of it.
 */
package dev.lambdalab.testbed.pgbouncer;
