/**
 * The proxy a run puts in front of the database, whichever it is: {@code Proxy}, its settings in RDS Proxy's terms
 * ({@code ProxySettings}), which kind ({@code ProxyKind}) and a snapshot of its pools. The RDS Proxy emulator
 * ({@code rdsproxy}) and PgBouncer ({@code pgbouncer}) implement it; this package knows neither.
 */
package dev.lambdalab.testbed.proxy;
