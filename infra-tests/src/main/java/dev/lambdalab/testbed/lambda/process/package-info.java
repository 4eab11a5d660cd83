/**
 * The process isolation: an environment is a JVM of its own under AWS's runtime interface client, served by an
 * emulated Runtime API, frozen with SIGSTOP between invocations and killed with SIGKILL; its JDK, JVM flags and
 * class-data sharing archive. Implements the {@code sandbox} contract and knows neither the class-loader isolation,
 * SnapStart's snapshots (it sees them as a {@link dev.lambdalab.testbed.lambda.process.RestoreSource}) nor the rules.
 */
package dev.lambdalab.testbed.lambda.process;
