/**
 * The {@code testbed} command line: flags, their validation and messages, and the printed tables. A leaf: no other
 * package depends on it (PackageGraphTest).
 */
package dev.lambdalab.testbed.cli;
