/**
 * shared-db: the settings catalogue ({@code Setting}), the pool factory ({@code LambdaPool}), credentials (secret,
 * IAM token) and the classification of failures. No Lambda types and nothing of the test bed, so that a function
 * can copy it as it is.
 */
package dev.lambdalab.db;
