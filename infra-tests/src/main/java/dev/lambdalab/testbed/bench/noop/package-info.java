/**
 * A handler that does nothing, for measuring the emulator's own overhead per invocation. Depends on the Lambda
 * runtime interfaces only.
 */
package dev.lambdalab.testbed.bench.noop;
