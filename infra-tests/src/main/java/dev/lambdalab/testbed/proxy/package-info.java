/**
 * The proxy a run puts in front of the database ({@code Proxy}, {@code ProxySettings} in RDS Proxy's terms) and
 * PgBouncer, the real one, as a child process or a container. The RDS Proxy emulator in {@code rdsproxy} implements
 * the same interface.
 */
package dev.lambdalab.testbed.proxy;
