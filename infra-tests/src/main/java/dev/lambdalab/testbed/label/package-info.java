/**
 * Names for enum constants as the command line and the reports spell them ({@code Labelled}). Depends on nothing.
 */
package dev.lambdalab.testbed.label;
