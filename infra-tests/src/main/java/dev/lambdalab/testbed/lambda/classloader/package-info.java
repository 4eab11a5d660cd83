/**
 * The class-loader isolation: an environment is a class loader and a thread group in the test bed's JVM, cheap enough
 * for a hundred cold starts, with sockets counted per environment. Implements the {@code sandbox} contract and knows
 * neither the process isolation nor the rules above it.
 */
package dev.lambdalab.testbed.lambda.classloader;
