/**
 * The contract every execution environment keeps, whichever way it is isolated: the environment ({@link
 * dev.lambdalab.testbed.lambda.sandbox.Sandbox}), the hand-off of one init or invocation, the context and log a
 * function sees, the function's code, and Lambda's error types. Depends on no other part of the emulator.
 */
package dev.lambdalab.testbed.lambda.sandbox;
