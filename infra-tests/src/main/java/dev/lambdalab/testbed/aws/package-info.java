/**
 * A deployed stack of template.yaml ({@code testbed aws}): its outputs and parameters, the load against its routes
 * and the CloudWatch queries; and a stand-in for Secrets Manager used locally. Calls AWS only through the SDK's
 * clients it is given.
 */
package dev.lambdalab.testbed.aws;
