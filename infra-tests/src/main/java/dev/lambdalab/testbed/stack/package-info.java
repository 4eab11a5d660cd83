/**
 * Reading CloudFormation and SAM templates: intrinsic functions, parameters and conditions, the functions and their
 * routes, and {@code testbed check}'s connection budget. Reads templates only; starts nothing.
 */
package dev.lambdalab.testbed.stack;
