/**
 * Nothing outlives the test bed: a watchdog process that ends this JVM's children and removes its directories when
 * the JVM dies, even by SIGKILL, and a sweep of what earlier runs left. Depends on nothing.
 */
package dev.lambdalab.testbed.watchdog;
