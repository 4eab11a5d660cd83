/**
 * PostgreSQL for the test bed: embedded, external or in a container, the lab's database and roles, and the
 * connection counts the reports sample. Knows nothing of the proxies, the emulator or the scenarios
 * (PackageGraphTest).
 */
package dev.lambdalab.testbed.db;
