/**
 * {@code testbed faults}: restarts, outages, rotations and timeouts injected into a running experiment, each family
 * measured and reported as a caller sees it. Built on the test bed, the proxies and the emulator.
 */
package dev.lambdalab.testbed.faults;
