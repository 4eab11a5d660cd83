/**
 * The fix: one static pool per execution environment, built during init and sized by shared-db's {@code LambdaPool}
 * for the environment's concurrency. Depends on {@code http} and shared-db only.
 */
package dev.lambdalab.functions.fixed;
