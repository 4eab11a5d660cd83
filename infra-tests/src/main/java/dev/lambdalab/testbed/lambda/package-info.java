/**
 * The Lambda emulator's rules and its face to the rest of the test bed: a function ({@link
 * dev.lambdalab.testbed.lambda.EmulatedFunction}), its configuration, and Lambda's rules for routing, scaling,
 * throttling, timeouts, reclaim and Managed Instances, applied the same way whichever isolation runs the
 * environments. Uses the packages below it ({@code sandbox}, {@code classloader}, {@code process}, {@code snapstart})
 * and knows nothing of the HTTP API, the proxies or the scenarios (PackageGraphTest).
 */
package dev.lambdalab.testbed.lambda;
