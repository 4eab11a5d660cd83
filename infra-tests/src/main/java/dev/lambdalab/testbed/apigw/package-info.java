/**
 * API Gateway in front of emulated functions: routes read from a template, the proxy-integration events of payload
 * 1.0 and 2.0, and the answers as API Gateway gives them. Sits directly above {@code lambda} and depends on nothing
 * else of the test bed (PackageGraphTest).
 */
package dev.lambdalab.testbed.apigw;
