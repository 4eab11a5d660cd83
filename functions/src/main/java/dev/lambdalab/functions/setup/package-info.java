/**
 * Deploy-time setup, not a request path: the CloudFormation custom resource that creates the application role the
 * functions log in as, over the master user's connection. Depends on shared-db only ({@code ApplicationRole}, the
 * connection settings, the secrets), never on the broken or fixed handlers.
 */
package dev.lambdalab.functions.setup;
