/**
 * SnapStart through CRIU: one process environment initialised, dumped, and restored as many copies as cold starts
 * need, each in namespaces of its own. Sits on the {@code process} isolation, whose environments it snapshots; the
 * rules above decide when to take a snapshot.
 */
package dev.lambdalab.testbed.lambda.snapstart;
