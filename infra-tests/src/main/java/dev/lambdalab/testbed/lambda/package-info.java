/**
 * The Lambda emulator: execution environments isolated by class loader or by process under AWS's runtime interface
 * client, frozen between invocations, SnapStart through CRIU, Managed Instances, and Lambda's rules for scaling,
 * throttling, timeouts and reclaim. Knows nothing of the HTTP API, the proxies or the scenarios (PackageGraphTest).
 */
package dev.lambdalab.testbed.lambda;
