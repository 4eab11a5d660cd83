/**
 * AWS's own Lambda Managed Instances example as written (one static pool of HikariCP's defaults), kept to show what
 * it does to a small database. Depends on {@code http} and shared-db only.
 */
package dev.lambdalab.functions.managed;
