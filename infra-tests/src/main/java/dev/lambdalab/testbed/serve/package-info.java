/**
 * {@code testbed serve}: the functions behind a local HTTP API for real load tools, with a live page and its
 * verdicts. Built on the test bed, {@code apigw} and the emulator.
 */
package dev.lambdalab.testbed.serve;
