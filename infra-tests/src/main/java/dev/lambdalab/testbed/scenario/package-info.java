/**
 * The scenarios of {@code testbed reproduce} and the runner that plays one: the function deployed in the emulator,
 * the proxy started, the load driven, connections sampled, and the result with its verdict.
 */
package dev.lambdalab.testbed.scenario;
