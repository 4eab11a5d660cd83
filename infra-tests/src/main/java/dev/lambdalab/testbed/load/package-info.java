/**
 * Callers: closed-loop load of a number of requests or a duration, over HTTP or straight into an emulated function,
 * with the answers counted by cause. Depends on no proxy or database code.
 */
package dev.lambdalab.testbed.load;
