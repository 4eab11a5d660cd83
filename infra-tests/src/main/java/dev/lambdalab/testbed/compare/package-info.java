/**
 * {@code testbed aws --compare}: the local prediction of a deployed stack's run, from the stack's own parameters,
 * and the comparison measure by measure with its tolerances. Used only by {@code cli}.
 */
package dev.lambdalab.testbed.compare;
